#!/usr/bin/env bash
# The README's test command: install everything needed, then run every tier (npm test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --system
npm test
