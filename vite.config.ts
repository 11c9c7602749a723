import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The studio is a static site: the engine runs in a Web Worker, shaders are imported as raw text
// (import.meta.glob in src/gpu/shaderSources.browser.ts), and the default model ships in public/.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
