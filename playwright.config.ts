import { defineConfig } from '@playwright/test';

// E2E tier: the built studio in Debian's headless Chromium. WebGPU runs on SwiftShader with one
// extra flag, --enable-unsafe-webgpu (docs/webgpu-notes.md §1); never `npx playwright install`.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const common = [
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export default defineConfig({
  testDir: 'e2e',
  timeout: 240_000,
  expect: { timeout: 120_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: { baseURL: 'http://127.0.0.1:4173', trace: 'off', screenshot: 'only-on-failure' },
  webServer: {
    command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
    url: 'http://127.0.0.1:4173',
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu/,
      use: { launchOptions: { executablePath: chromium, args: ['--enable-unsafe-webgpu', ...common] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu/,
      use: { launchOptions: { executablePath: chromium, args: common } },
    },
  ],
});
