// The layer-boundary rules of eslint.config.js fire on real imports and stay quiet on allowed ones
// (issue #18). Lints snippets under made-up paths with the repository's own config.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: `${root}eslint.config.js` });

/** Rule ids and messages ESLint reports for `code` as if it lived at `filePath`. */
async function lint(code: string, filePath: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

const BOUNDARY = /no-restricted-imports$/;

describe('layer boundaries (eslint.config.js)', () => {
  it('engine code may not import React or the store', async () => {
    const react = await lint("import { useState } from 'react';\nexport const s = useState;\n", 'src/prune/x.ts');
    expect(react).toHaveLength(1);
    expect(react[0].rule).toMatch(BOUNDARY);
    expect(react[0].message).toMatch(/keep React\/zustand\/recharts in src\/ui and src\/store/);
    const store = await lint("import { useRun } from '../../store/runStore';\nexport const r = useRun;\n", 'src/prune/methods/x.ts');
    expect(store.map((m) => m.rule)).toEqual(['no-restricted-imports']);
  });

  it('core imports only model/spec from the other layers', async () => {
    const gpu = await lint("import { GpuRuntime } from '../gpu/runtime';\nexport const g = GpuRuntime;\n", 'src/core/x.ts');
    expect(gpu.map((m) => m.rule)).toEqual(['no-restricted-imports']);
    expect(gpu[0].message).toMatch(/only src\/model\/spec/);
    const spec = await lint(
      "import { LINEAR_NAMES } from '../../model/spec';\nexport const n = LINEAR_NAMES.length;\n",
      'src/core/ops/x.ts',
    );
    expect(spec).toEqual([]);
  });

  it('ui may import engine modules only as types', async () => {
    const value = await lint("import { allocationCsv } from '../prune/report';\nexport const f = allocationCsv;\n", 'src/ui/X.tsx');
    expect(value.map((m) => m.rule)).toEqual(['@typescript-eslint/no-restricted-imports']);
    const types = await lint("import type { RunReport } from '../prune/report';\nexport type R = RunReport;\n", 'src/ui/X.tsx');
    expect(types).toEqual([]);
  });

  it('node: modules only in the CLI and the Node loaders', async () => {
    const code = "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n";
    expect((await lint(code, 'src/model/x.ts')).map((m) => m.rule)).toEqual(['no-restricted-imports']);
    expect(await lint(code, 'src/gpu/shaderSourcesNode.ts')).toEqual([]);
    expect(await lint(code, 'src/cli/x.ts')).toEqual([]);
  });
});
