// Comments cite the in-repo docs (docs/besa.md §X.Y, docs/webgpu-notes.md §N, docs/architecture.md §N,
// docs/perplexity.md §N), never the handout that lives outside the repository. This test fails when a
// citation names a section that has no heading in the cited file, or when the old handout names come
// back (tools/rewrite-citations.mjs rewrites them).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');
const SCANNED = ['src', 'shaders', 'tests', 'bench', 'e2e'];
const EXTS = new Set(['.ts', '.tsx', '.mts', '.js', '.mjs', '.wgsl', '.py', '.md', '.sh']);
const SELF = relative(ROOT, __filename);
// The handout's names, assembled here so that this file does not contain them literally.
const FORBIDDEN = ['besa' + '-spec', 'webgpu' + '-recipe', '../' + 'shared', 'small-models' + '.md', 'anchors' + '.md'];
const NUMBERED_DOCS = ['besa.md', 'webgpu-notes.md', 'architecture.md', 'perplexity.md', 'real-models.md', 'speed.md'];

function listFiles(p: string): string[] {
  const st = statSync(p);
  if (!st.isDirectory()) return EXTS.has(extname(p)) ? [p] : [];
  return readdirSync(p)
    .filter((e) => e !== 'node_modules' && !e.startsWith('.'))
    .flatMap((e) => listFiles(join(p, e)));
}

/** Section numbers that head a "## N." / "### N.M" line of a Markdown file ("1.10", "5", …). */
function headingNumbers(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]);
  return out;
}

/** Every section number cited as "docs/<doc> §A", including chains like "§1.2–§1.5, §7.1/§7.2". */
function citedSections(text: string, doc: string): string[] {
  const esc = doc.replace(/[.]/g, '\\.');
  const out: string[] = [];
  const re = new RegExp(`docs/${esc} (§\\d+(?:\\.\\d+)*(?:\\s*(?:,|–|-|/|and|or)\\s*§\\d+(?:\\.\\d+)*)*)`, 'g');
  for (const m of text.matchAll(re)) for (const s of m[1].matchAll(/§(\d+(?:\.\d+)*)/g)) out.push(s[1]);
  return out;
}

const files = SCANNED.flatMap((d) => listFiles(join(ROOT, d))).filter((f) => relative(ROOT, f) !== SELF);
const texts = files.map((f) => ({ rel: relative(ROOT, f), text: readFileSync(f, 'utf8') }));

describe('doc citations in src, shaders, tests, bench, e2e', () => {
  it('the scanner finds the citations it checks (not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    const all = texts.flatMap((t) => citedSections(t.text, 'besa.md'));
    expect(all.length).toBeGreaterThan(50);
    expect(citedSections('see docs/besa.md §1.2–§1.5, §7.1/§7.2 and docs/besa.md §5.', 'besa.md')).toEqual([
      '1.2',
      '1.5',
      '7.1',
      '7.2',
      '5',
    ]);
    expect([...headingNumbers('## 1. A\n### 1.10 B\n#### 7.4 C\nno ## 9.\n')]).toEqual(['1', '1.10', '7.4']);
  });

  it('nothing refers to the handout outside the repository', () => {
    const hits = texts.flatMap((t) =>
      t.text.split('\n').flatMap((line, i) => (FORBIDDEN.some((f) => line.includes(f)) ? [`${t.rel}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits, 'run `node tools/rewrite-citations.mjs` and cite docs/*.md instead').toEqual([]);
  });

  for (const doc of NUMBERED_DOCS) {
    it(`every docs/${doc} §N cited exists as a heading of docs/${doc}`, () => {
      const headings = headingNumbers(readFileSync(join(ROOT, 'docs', doc), 'utf8'));
      expect(headings.size).toBeGreaterThan(3);
      const missing = texts.flatMap((t) =>
        citedSections(t.text, doc)
          .filter((n) => !headings.has(n))
          .map((n) => `${t.rel}: §${n}`),
      );
      expect(missing, `add the section to docs/${doc} or fix the citation`).toEqual([]);
    });
  }
});
