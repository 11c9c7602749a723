// BindCache (src/gpu/bindCache.ts) with stand-in objects: reuse only for identical uniform bytes and
// identical (pipeline, binding, buffer) sets; a forgotten (destroyed) buffer never comes back in a group.
import { describe, expect, it } from 'vitest';
import { BindCache } from '../../../src/gpu/bindCache';

const fake = <T>(label: string) => ({ label }) as unknown as T;
const bytes = (...w: number[]) => new Uint32Array(w).buffer;

describe('BindCache', () => {
  it('reuses a uniform buffer only for byte-identical Params', () => {
    const c = new BindCache();
    let made = 0;
    const make = () => fake<GPUBuffer>(`u${made++}`);
    const a = c.uniform(bytes(1, 2, 3, 0), make, []);
    expect(c.uniform(bytes(1, 2, 3, 0), make, [])).toBe(a);
    expect(c.uniform(bytes(1, 2, 3, 1), make, [])).not.toBe(a);
    // -0 and +0 are different bit patterns: no reuse across them
    const f = (x: number) => new Float32Array([x]).buffer;
    expect(c.uniform(f(-0), make, [])).not.toBe(c.uniform(f(0), make, []));
    expect(made).toBe(4);
  });

  it('keys bind groups by pipeline, binding numbers and buffer identity', () => {
    const c = new BindCache();
    const [p1, p2] = [fake<GPUComputePipeline>('p1'), fake<GPUComputePipeline>('p2')];
    const [x, y] = [fake<GPUBuffer>('x'), fake<GPUBuffer>('y')];
    let made = 0;
    const make = () => fake<GPUBindGroup>(`g${made++}`);
    const g = c.bindGroup(
      p1,
      [
        [1, x],
        [2, y],
      ],
      make,
    );
    expect(
      c.bindGroup(
        p1,
        [
          [1, x],
          [2, y],
        ],
        make,
      ),
    ).toBe(g);
    expect(
      c.bindGroup(
        p1,
        [
          [1, y],
          [2, x],
        ],
        make,
      ),
    ).not.toBe(g);
    expect(
      c.bindGroup(
        p2,
        [
          [1, x],
          [2, y],
        ],
        make,
      ),
    ).not.toBe(g);
    expect(
      c.bindGroup(
        p1,
        [
          [1, x],
          [3, y],
        ],
        make,
      ),
    ).not.toBe(g);
    expect(made).toBe(4);
  });

  it('drops the groups of a forgotten buffer and evicts old uniforms for deferred destroy', () => {
    const c = new BindCache();
    const p = fake<GPUComputePipeline>('p');
    const [x, y] = [fake<GPUBuffer>('x'), fake<GPUBuffer>('y')];
    let made = 0;
    const make = () => fake<GPUBindGroup>(`g${made++}`);
    const g = c.bindGroup(
      p,
      [
        [1, x],
        [2, y],
      ],
      make,
    );
    c.forget(x);
    expect(
      c.bindGroup(
        p,
        [
          [1, x],
          [2, y],
        ],
        make,
      ),
    ).not.toBe(g);

    const evicted: GPUBuffer[] = [];
    const first = c.uniform(bytes(0), () => fake<GPUBuffer>('first'), evicted);
    for (let i = 1; i <= 512; i++) c.uniform(bytes(i), () => fake<GPUBuffer>(`u${i}`), evicted);
    expect(evicted).toEqual([first]);
    expect(c.clear()).toHaveLength(512);
  });
});
