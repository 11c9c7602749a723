// ESLint flat config (issue #18). Syntax-only typescript-eslint rules (no type information) so
// `npx eslint .` stays a few seconds on a 2-core CI. Layer boundaries (docs/architecture.md) are
// no-restricted-imports rules per folder; DOM vs Node globals are enforced by the per-layer
// tsconfigs (tsconfig.engine.json etc.), not here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/** Engine folders: run in the Worker and in Node, know nothing about React, the store or the UI. */
const ENGINE = ['src/core', 'src/model', 'src/data', 'src/gpu', 'src/wasm', 'src/prune', 'src/eval'];
/** Files of the engine that legitimately load things from disk in Node (never bundled for the browser). */
const NODE_LOADERS = ['src/gpu/node.ts', 'src/gpu/shaderSourcesNode.ts', 'src/model/sourceNode.ts', 'src/wasm/threadsNode.ts'];

const folderImport = (names) => `^(\\.\\.?/)+(${names.join('|')})(/|$)`;

const UI_LIBS = {
  group: ['react', 'react/*', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*', 'recharts', 'recharts/*'],
  message: 'The engine runs in a Worker and in Node: keep React/zustand/recharts in src/ui and src/store.',
};
const APP_FOLDERS = {
  regex: folderImport(['store', 'ui', 'worker']),
  message: 'The engine must not import src/store, src/ui or src/worker; pass data in through function arguments or events.',
};
const NODE_BUILTINS = {
  group: ['node:*', 'webgpu'],
  message: `Node-only module in code that also runs in the browser: do disk/Dawn access in ${NODE_LOADERS.join(', ')} or src/cli.`,
};

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'public/',
      'out/',
      'tools/.cache/',
      'scratch/',
      '.lavapipe/',
      'wasm/', // AssemblyScript (its own types: v128, usize), compiled by scripts/build-wasm.mjs
      'src/wasm/binaries.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed parameters and destructured leftovers are deliberate (callbacks with fixed signatures).
      // `let [a, b] = ...` where only b is reassigned stays one statement.
      'prefer-const': ['error', { destructuring: 'all' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/cli/**'],
    languageOptions: { globals: { ...globals.es2023 } },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx', 'src/store/**/*.ts', 'src/learn/**/*.ts', 'src/worker/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    // The WASM helper thread: one plain-JS file that runs as a Web Worker and as a Node worker thread.
    files: ['src/wasm/gemmHelper.js'],
    languageOptions: { globals: { ...globals.es2023, ...globals.worker, process: 'readonly' } },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
  // Layer boundaries. Each folder gets exactly one no-restricted-imports entry (a later config object
  // would replace, not extend, an earlier one's options).
  {
    files: ['src/core/**/*.ts'],
    // core is the pure-math layer: only the shared types/constants of src/model/spec.ts.
    rules: restrict(UI_LIBS, APP_FOLDERS, NODE_BUILTINS, {
      regex: '^(\\.\\./)+(gpu|prune|eval|data|model/(?!spec$))',
      message: 'src/core is the bottom layer: it may import only src/model/spec from the other layers.',
    }),
  },
  {
    files: ENGINE.filter((f) => f !== 'src/core').map((f) => `${f}/**/*.ts`),
    ignores: NODE_LOADERS,
    rules: restrict(UI_LIBS, APP_FOLDERS, NODE_BUILTINS),
  },
  {
    files: NODE_LOADERS,
    rules: restrict(UI_LIBS, APP_FOLDERS),
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/learn/**/*.ts'],
    rules: {
      // UI sees the engine only through the store (src/store/engineValues.ts re-exports the few values).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: folderImport(['core', 'model', 'data', 'gpu', 'prune', 'eval', 'worker']),
              allowTypeImports: true,
              message: 'src/ui may import engine/worker modules only with `import type`; get values and actions from src/store.',
            },
            NODE_BUILTINS,
          ],
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: restrict(NODE_BUILTINS, {
      group: ['react', 'react-dom', 'react-dom/*', 'recharts', 'recharts/*', '**/ui/*', '*.tsx'],
      message: 'src/store holds state and actions only: components and React belong in src/ui.',
    }),
  },
  {
    files: ['src/worker/**/*.ts'],
    rules: restrict(UI_LIBS, NODE_BUILTINS, {
      regex: folderImport(['store', 'ui']),
      message: 'The worker runs the engine off the main thread: it must not import the store or the UI.',
    }),
  },
  // Node code: CLI, tests, benches, e2e specs (their page.evaluate callbacks run in the browser),
  // config files and tools.
  {
    files: [
      'src/cli/**/*.ts',
      'tests/**/*.ts',
      'bench/**/*.ts',
      'e2e/**/*.ts',
      'tools/**/*.{js,mjs}',
      'scripts/**/*.{js,mjs}',
      '*.{js,ts,mjs}',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  prettier,
);
