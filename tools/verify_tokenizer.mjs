// Checks that @huggingface/tokenizers (the JS library the app uses) encodes text to exactly the ids that
// tools/bpe.py produced, and that the GPT-2 split regex (JS, \p{L}/\p{N}) gives the same pieces as the
// Python emulation. Usage: node tools/verify_tokenizer.mjs tokenizer.json cases.json
// cases.json: [{"name", "text", "ids", "pieces"?}, ...] or {"cases": [...]}
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

const [tokPath, casesPath] = process.argv.slice(2);
const tok = new Tokenizer(JSON.parse(readFileSync(tokPath, 'utf8')), {});
const raw = JSON.parse(readFileSync(casesPath, 'utf8'));
const cases = Array.isArray(raw) ? raw : raw.cases; // tests/fixtures/tokenizer/default_ids.json has {cases}
const gpt2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
let bad = 0;
for (const c of cases) {
  const ids = tok.encode(c.text, { add_special_tokens: false }).ids;
  let first = -1;
  const n = Math.max(ids.length, c.ids.length);
  for (let i = 0; i < n; i++)
    if (ids[i] !== c.ids[i]) {
      first = i;
      break;
    }
  if (c.pieces) {
    const js = c.text.match(gpt2) ?? [];
    const same = js.length === c.pieces.length && js.every((p, i) => p === c.pieces[i]);
    if (!same) {
      bad++;
      console.log(`${c.name}: regex pieces differ (js ${js.length} vs py ${c.pieces.length})`);
    }
  }
  if (first >= 0) {
    bad++;
    console.log(`${c.name}: MISMATCH at ${first}: js ${ids.slice(first, first + 8)} py ${c.ids.slice(first, first + 8)}`);
  } else console.log(`${c.name}: ok (${ids.length} ids)`);
}
process.exit(bad ? 1 : 0);
