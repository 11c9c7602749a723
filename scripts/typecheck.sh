#!/usr/bin/env bash
# Typecheck every layer with its own globals (tsconfig.json lists the projects):
#   engine  ES2023 + WebGPU only (runs in a Worker and in Node; src/engine-globals.d.ts)
#   browser DOM + Vite client (src/ui, src/store, src/learn, src/main.tsx, src/worker minus the entry)
#   worker  WebWorker (src/worker/engine.worker.ts)
#   node    Node types (src/cli, the engine's Node loaders, bench, config files)
#   tests   Node + DOM (unit tests import the store; e2e callbacks run in the page)
# Checks all of them and names the ones that failed.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
for p in engine browser worker node tests; do
  npx tsc --noEmit -p "tsconfig.$p.json" || failed+=("tsconfig.$p.json")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "typecheck failed in: ${failed[*]}" >&2
  exit 1
fi
