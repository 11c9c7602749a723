// One ShapeError for every layer (issue #18): the CPU ops' length checks, their specialised shape
// errors and the GPU kernels' re-export are the same class, so callers can catch it once.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../src/core/errors';
import { ShapeError as GpuShapeError } from '../../../src/gpu/errors';
import { linearForward } from '../../../src/core/ops/linear';
import { attentionForward, AttentionShapeError } from '../../../src/core/ops/attention';
import { ropeForward, RopeShapeError } from '../../../src/core/ops/rope';

describe('ShapeError', () => {
  it('is the class the GPU kernels throw', () => {
    expect(GpuShapeError).toBe(ShapeError);
  });

  it('is what a CPU op throws for a buffer that does not match its dims, naming op, operand and lengths', () => {
    const call = () => linearForward(new Float32Array(6), new Float32Array(6), 2, 3, 3);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow('linearForward: w has length 6, expected 9; check the dims passed with it');
  });

  it('is the base of the attention and rope shape errors', () => {
    const q = new Float32Array(3 * 2 * 4);
    const kv = new Float32Array(3 * 2 * 4);
    const attention = () => attentionForward(q, kv, kv, 3, 3, 2, 4); // 3 heads cannot share 2 kv heads
    expect(attention).toThrow(AttentionShapeError);
    expect(attention).toThrow(ShapeError);
    const rope = () => ropeForward(new Float32Array(2 * 1 * 3), 2, 1, 3, 10000, 'half'); // odd head dim
    expect(rope).toThrow(RopeShapeError);
    expect(rope).toThrow(ShapeError);
  });
});
