#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks. `--system` also installs the Debian packages the GPU
# and e2e test tiers need (chromium with its SwiftShader Vulkan driver, the Vulkan loader).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--system" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -f /usr/lib/chromium/vk_swiftshader_icd.json ] || need+=(chromium-common)
  ldconfig -p | grep -q 'libvulkan.so.1' || need+=(libvulkan1)
  if [ ${#need[@]} -gt 0 ]; then
    echo "== apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi
# The WASM engine's kernels (wasm/*.ts → src/wasm/binaries.generated.ts; skipped when up to date).
node scripts/build-wasm.mjs
