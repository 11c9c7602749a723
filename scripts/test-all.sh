#!/usr/bin/env bash
# The README's test command (`npm test`): typecheck, then the three tiers. Each tier prints its own
# test count; any failure (including a GPU tier that finds no adapter) fails the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODEVICE_SELECT=1
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
fi
start=$(date +%s)
echo "== typecheck (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json
echo "== tier 1: unit tests (CPU)"
npx vitest run --project unit
echo "== tier 2: GPU tests (Node + Dawn on ${VK_ICD_FILENAMES:-the system Vulkan driver})"
npx vitest run --project gpu
echo "== tier 3: e2e tests (Playwright + headless Chromium, WebGPU on SwiftShader)"
npx vite build --logLevel warn
npx playwright test
echo "== all tiers passed in $(( $(date +%s) - start )) s"
