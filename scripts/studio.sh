#!/usr/bin/env bash
# The README's run command: install npm packages, build the studio and serve it.
# Open the printed address in a browser with WebGPU (Chrome/Edge 113+; Chromium on Linux with
# --enable-unsafe-webgpu). HOST=0.0.0.0 serves to other machines; PORT changes the port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npx vite build --logLevel warn
echo "BESA Studio: http://${HOST:-127.0.0.1}:${PORT:-5173}/  (Ctrl-C to stop)"
exec npx vite preview --host "${HOST:-127.0.0.1}" --port "${PORT:-5173}" --strictPort
