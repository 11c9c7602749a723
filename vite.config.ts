import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The built page's Content-Security-Policy (docs/security.md). The studio only talks to its own origin:
// models, data and the Worker script come from the same static site, user files arrive through the File
// API, and exports are blob: URLs. React and recharts set style attributes ('unsafe-inline' styles only);
// chart PNG export draws an SVG through an <img> from a blob: URL.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'", // the WASM engine compiles its kernel module (docs/wasm.md)
  "worker-src 'self'",
  // Hugging Face downloads (docs/real-models.md §6): the hub, and the CDNs its resolve URLs redirect to.
  "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

// Build only: the dev server injects an inline React-refresh preamble that script-src 'self' would block.
function cspMeta(): Plugin {
  return {
    name: 'besa-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
  };
}

// Cross-origin isolation (COOP + COEP), so that the page may share WebAssembly memory between Workers
// (SharedArrayBuffer: WASM threads, docs/wasm.md §4). Everything the studio loads is same-origin.
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The studio is a static site: the engine runs in a Web Worker, shaders are imported as raw text
// (import.meta.glob in src/gpu/shaderSourcesBrowser.ts), and the default model ships in public/.
export default defineConfig({
  plugins: [react(), cspMeta()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
