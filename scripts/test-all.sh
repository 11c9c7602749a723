#!/usr/bin/env bash
# The README's test command (`npm test`): typecheck, lint, format check, then the three tiers. Each tier prints its own
# test count; any failure (including a GPU tier that finds no adapter) fails the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODEVICE_SELECT=1
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
fi
start=$(date +%s)
node scripts/build-wasm.mjs # the WASM kernels the engine imports (skipped when up to date)
echo "== typecheck (one tsc project per layer, scripts/typecheck.sh)"
bash scripts/typecheck.sh
echo "== lint (eslint, layer boundaries included)"
npx eslint . --max-warnings 0
echo "== format (prettier --check)"
npx prettier --check .
echo "== tier 1: unit tests (CPU)"
npx vitest run --project unit
echo "== tier 2: GPU tests (Node + Dawn on ${VK_ICD_FILENAMES:-the system Vulkan driver})"
npx vitest run --project gpu
echo "== tier 3: e2e tests (Playwright + headless Chromium, WebGPU on SwiftShader)"
npx vite build --logLevel warn
npx playwright test
echo "== all tiers passed in $(( $(date +%s) - start )) s"
