// Adapter limits checked before a WebGPU run (src/gpu/limits.ts): on the SmolLM2-135M and Qwen2.5-0.5B shapes
// with the common 128 MiB binding limit, the default seqlen fits, a long window is refused naming the attention
// scores with their size and the largest seqlen that fits, a small limit also names the linears, and every
// problem is listed in one error.
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_SHAPES } from '../../../src/cli/synthetic';
import { AdapterLimitError, adapterLimitProblems, checkAdapterLimits } from '../../../src/gpu/limits';
import { configToSpec } from '../../../src/model/config';

const MiB = 2 ** 20;
const limits = (binding: number, buffer = 4 * binding) => ({ maxStorageBufferBindingSize: binding, maxBufferSize: buffer });
const smol = configToSpec(SYNTHETIC_SHAPES['smollm2-135m'].config);
const qwen = configToSpec(SYNTHETIC_SHAPES['qwen2.5-0.5b'].config);

describe('adapter limits before a WebGPU run', () => {
  it('the default seqlen fits 128 MiB on both real shapes', () => {
    expect(adapterLimitProblems(smol, { seqlen: 256 }, limits(128 * MiB))).toEqual([]);
    expect(adapterLimitProblems(qwen, { seqlen: 1024 }, limits(128 * MiB))).toEqual([]);
  });

  it('a long window is refused with the scores size and the largest seqlen that fits', () => {
    // 9 heads · 2048² · 4 B = 144 MiB > 128 MiB; the largest T is floor(sqrt(128 MiB / 36)) = 1930
    const p = adapterLimitProblems(smol, { seqlen: 2048 }, limits(128 * MiB));
    expect(p).toEqual(['attention scores [9, 2048, 2048] = 144 MiB: lower seqlen to 1930 or less']);
    expect(9 * 1930 * 1930 * 4).toBeLessThanOrEqual(128 * MiB);
    expect(9 * 1931 * 1931 * 4).toBeGreaterThan(128 * MiB);
    // the evaluation window is checked on its own, and maxBufferSize counts when it is the smaller limit
    const ev = adapterLimitProblems(smol, { seqlen: 256, evalSeqlen: 4096 }, limits(1024 * MiB, 128 * MiB));
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatch(/^attention scores \[9, 4096, 4096\] = 576 MiB: lower the evaluation window to 1930 or less$/);
  });

  it('a small limit names every problem at once, linears included, in one AdapterLimitError', () => {
    let err: unknown;
    try {
      checkAdapterLimits(qwen, { seqlen: 1024 }, limits(4 * MiB), 'test adapter');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdapterLimitError);
    const msg = (err as Error).message;
    expect(msg).toContain('test adapter can bind (4 MiB per buffer)');
    expect(msg).toContain('linear gate [4864, 896] in f32 = 17 MiB');
    expect(msg).toContain('use the wasm engine');
    expect(msg).toContain('attention scores [14, 1024, 1024] = 56 MiB');
    expect(msg).toMatch(/activations \[1024, 4864\] = 19 MiB: lower seqlen to 215 or less/);
    expect(msg).toContain('Nothing was run.');
  });
});
