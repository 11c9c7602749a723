"""Byte-level BPE (GPT-2 style): trainer, encoder and Hugging Face tokenizer.json writer.

Written from scratch for BESA Studio; no `tokenizers`/`regex` dependency (they are not installed here).
The JS side loads the written tokenizer.json with @huggingface/tokenizers 0.2.0, whose ByteLevel
pre-tokenizer uses the GPT-2 pattern
    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+      (JS, flag u)
Python's `re` lacks \\p{..}, so PATTERN below spells the classes out as explicit code-point ranges built
from `unicodedata` (L* = Lu Ll Lt Lm Lo, N* = Nd Nl No) and uses the JavaScript definition of \\s
(which differs from Python's: JS includes U+FEFF and excludes U+001C..U+001F and U+0085).
tools/verify_tokenizer.mjs checks that JS and Python give identical ids.

Vocabulary layout: id b (0..255) = the byte-to-unicode character of byte b; then one id per merge in
merge order; the last id is the special token <|endoftext|> (used as bos/eos id, never in the training text).

Usage:
  python3 tools/bpe.py train --input FILE --vocab-size N --out tokenizer.json
  python3 tools/bpe.py encode --tokenizer tokenizer.json --input FILE   (prints the id count)
"""
from __future__ import annotations

import argparse
import heapq
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict

SPECIAL = "<|endoftext|>"

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator).
_JS_WS = "\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable unicode character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def _class_ranges(prefixes: tuple[str, ...]) -> str:
    """Regex character-class body for all code points whose general category starts with a prefix."""
    out, start, prev = [], None, None
    for cp in range(sys.maxunicode + 1):
        ok = unicodedata.category(chr(cp)).startswith(prefixes) if not (0xD800 <= cp <= 0xDFFF) else False
        if ok:
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            out.append(re.escape(chr(start)) if start == prev else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
            start = None
    if start is not None:
        out.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
    return "".join(out)


_L = _class_ranges(("L",))
_N = _class_ranges(("N",))
PATTERN = re.compile(
    rf"""'s|'t|'re|'ve|'m|'ll|'d| ?[{_L}]+| ?[{_N}]+| ?[^{_JS_WS}{_L}{_N}]+|[{_JS_WS}]+(?![^{_JS_WS}])|[{_JS_WS}]+"""
)


def pretokenize(text: str) -> list[str]:
    return PATTERN.findall(text)


class ByteBPE:
    def __init__(self, merges: list[tuple[str, str]]):
        self.byte_enc = bytes_to_unicode()
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.vocab: dict[str, int] = {self.byte_enc[b]: b for b in range(256)}
        for a, b in merges:
            self.vocab[a + b] = len(self.vocab)
        self.special_id = len(self.vocab)
        self.cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab) + 1

    def _bpe(self, word: str) -> list[int]:
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        parts = list(word)
        while len(parts) > 1:
            # lowest-rank adjacent pair; merge all its non-overlapping occurrences left to right
            best, best_rank = None, None
            for p in zip(parts, parts[1:]):
                r = self.ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and parts[i] == best[0] and parts[i + 1] == best[1]:
                    merged.append(best[0] + best[1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        ids = [self.vocab[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        enc = self.byte_enc
        for w in pretokenize(text):
            ids.extend(self._bpe("".join(enc[b] for b in w.encode("utf-8"))))
        return ids

    def decode(self, ids: list[int]) -> str:
        inv = {v: k for k, v in self.vocab.items()}
        dec = {c: b for b, c in self.byte_enc.items()}
        return bytes(dec[c] for i in ids if i != self.special_id for c in inv[i]).decode("utf-8", errors="replace")

    def to_hf_json(self) -> dict:
        vocab = dict(self.vocab)
        vocab[SPECIAL] = self.special_id
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [{"id": self.special_id, "content": SPECIAL, "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": False, "special": True}],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": vocab, "merges": [[a, b] for a, b in self.merges]},
        }

    @staticmethod
    def from_hf_json(path: str) -> "ByteBPE":
        with open(path, encoding="utf-8") as f:
            tj = json.load(f)
        merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in tj["model"]["merges"]]
        tok = ByteBPE(merges)  # ids are re-derived; check they agree with the file
        for k, v in tj["model"]["vocab"].items():
            if k != SPECIAL and tok.vocab[k] != v:
                raise ValueError(f"{path}: vocab id of {k!r} is {v}, expected {tok.vocab[k]}")
        return tok


def train_bpe(text: str, vocab_size: int, log=print) -> ByteBPE:
    """Greedy BPE on a word-frequency table with incremental pair counts.

    Ties in pair count are broken by the lexicographically smallest pair (deterministic)."""
    n_merges = vocab_size - 256 - 1
    enc = bytes_to_unicode()
    freq = Counter(pretokenize(text))
    words = [[enc[b] for b in w.encode("utf-8")] for w in freq]
    counts = list(freq.values())
    pair_count: dict[tuple[str, str], int] = defaultdict(int)
    where: dict[tuple[str, str], set[int]] = defaultdict(set)
    for wi, (w, c) in enumerate(zip(words, counts)):
        for p in zip(w, w[1:]):
            pair_count[p] += c
            where[p].add(wi)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges: list[tuple[str, str]] = []
    while len(merges) < n_merges and heap:
        negc, p = heapq.heappop(heap)
        if pair_count.get(p, 0) != -negc or negc == 0:
            continue  # stale heap entry
        merges.append(p)
        new = p[0] + p[1]
        changed: set[tuple[str, str]] = set()
        for wi in list(where[p]):
            w, c = words[wi], counts[wi]
            for q in zip(w, w[1:]):
                pair_count[q] -= c
                changed.add(q)
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == p[0] and w[i + 1] == p[1]:
                    out.append(new)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[wi] = out
            for q in zip(out, out[1:]):
                pair_count[q] += c
                where[q].add(wi)
                changed.add(q)
        del pair_count[p]
        where.pop(p, None)
        changed.discard(p)
        for q in changed:
            if pair_count.get(q, 0) > 0:
                heapq.heappush(heap, (-pair_count[q], q))
        if len(merges) % 500 == 0:
            log(f"  merges {len(merges)}/{n_merges}")
    return ByteBPE(merges)


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--input", required=True)
    t.add_argument("--vocab-size", type=int, required=True)
    t.add_argument("--out", required=True)
    e = sub.add_parser("encode")
    e.add_argument("--tokenizer", required=True)
    e.add_argument("--input", required=True)
    a = ap.parse_args()
    if a.cmd == "train":
        text = open(a.input, encoding="utf-8").read()
        tok = train_bpe(text, a.vocab_size)
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(tok.to_hf_json(), f, ensure_ascii=False)
    else:
        tok = ByteBPE.from_hf_json(a.tokenizer)
        ids = tok.encode(open(a.input, encoding="utf-8").read())
        print(len(ids))


if __name__ == "__main__":
    main()
