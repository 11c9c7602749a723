import { defineConfig } from 'vitest/config';
import { existsSync } from 'node:fs';

// GPU tests run on Dawn (npm `webgpu`) over a software Vulkan driver. The Vulkan loader reads
// VK_ICD_FILENAMES when the instance is created, so it must be set here, in the main process,
// before the forked test workers start (docs/webgpu-notes.md §5).
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader;
process.env.NODEVICE_SELECT ??= '1';

export default defineConfig({
  test: {
    pool: 'forks', // worker threads abort on pending Dawn promises (docs/webgpu-notes.md §4)
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/gpu/setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
