"""tests/fixtures/tokenizer/default_ids.json: ids of ~200 KB of varied text from tools/bpe.py (Python) for
the default model's tokenizer. Check with: node tools/verify_tokenizer.mjs <tokenizer.json> <cases>
(tools/README.md). Usage: python3 tools/make_tokenizer_fixture.py [public/models/<name>/tokenizer.json]"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import ByteBPE  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HANDWRITTEN = "\n".join([
    "It's, we're, they've, I'm, you'll, he'd -- IT'S WE'RE (upper-case contractions are not special).",
    "Numbers: 0 1 12 123 1234 3.14159 -42 +7 1,000,000 2021-03-01 10:30pm $5.99 50% #1 x^2 a_b",
    "Punctuation!!! ??? ... ;;; ::: \"quoted\" 'single' (paren) [bracket] {brace} <angle> @#$%^&*~`|\\/",
    "Whitespace:  two  spaces,   three,\ttab,\t\ttwo tabs, trailing   ",
    "   leading spaces\r\nCRLF line\rCR only\n\n\nthree newlines\u000bVT\u000cFF",
    "Unicode: caf\u00e9 na\u00efve \u00c5ngstr\u00f6m \u00fcber stra\u00dfe \u0142\u00f3d\u017a \u00e7a \u00f1and\u00fa",
    "Combining: e\u0301 a\u0308 n\u0303  CJK: \u4e2d\u6587\u6d4b\u8bd5 \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \ud55c\uad6d\uc5b4",
    "Greek \u03b1\u03b2\u03b3 \u0394\u03a9; Cyrillic \u041f\u0440\u0438\u0432\u0435\u0442; Arabic \u0645\u0631\u062d\u0628\u0627 \u0663\u0664\u0665; Hebrew \u05e9\u05dc\u05d5\u05dd",
    "Symbols: \u2014 \u2013 \u2011 \u2019 \u201c \u201d \u2022 \u00b0 \u00bd \u00b2 \u00b3 \u2167 \u20ac \u00a3 \u00a5 \u00a9 \u2122 \u2192 \u2200 \u221e",
    "Emoji: \U0001F600 \U0001F44D\U0001F3FD \U0001F468\u200d\U0001F469\u200d\U0001F467 \u2764\ufe0f flags \U0001F1FA\U0001F1F8",
    "Odd spaces: a\u00a0b c\u2009d e\u3000f g\u202fh \ufeffBOM \x1c\x1d\x1e\x1f \x85 \x02ctrl \u200bzwsp",
    "Mixed: abc123def 123abc abc's 'tis rock'n'roll O'Neill e.g. U.S.A. Mr. Speaker, Madam Vice President,",
])


def main() -> None:
    tok_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "public/models/sotu-llama-3m/tokenizer.json")
    tok = ByteBPE.from_hf_json(tok_path)
    sotu = open(os.path.join(ROOT, "public/data/sotu-eval.txt"), encoding="utf-8").read()
    calib = open(os.path.join(ROOT, "public/data/sotu-calib.txt"), encoding="utf-8").read()
    wiki = open(os.path.join(ROOT, "public/data/wikitext2-test.txt"), encoding="utf-8").read()
    cases = [
        {"name": "sotu-eval[0:70000]", "text": sotu[:70000]},
        {"name": "sotu-calib[0:40000]", "text": calib[:40000]},
        {"name": "wikitext2-test[300000:370000]", "text": wiki[300000:370000]},
        {"name": "handwritten", "text": HANDWRITTEN},
        {"name": "empty", "text": ""},
    ]
    for c in cases:
        c["ids"] = tok.encode(c["text"])
    out = os.path.join(ROOT, "tests/fixtures/tokenizer/default_ids.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"tokenizer": os.path.relpath(tok_path, ROOT), "bos": "none (ids are the plain encoding, no special tokens)",
                   "cases": cases}, f, ensure_ascii=False, separators=(",", ":"))
    print(out, os.path.getsize(out), [len(c["ids"]) for c in cases])


if __name__ == "__main__":
    main()
