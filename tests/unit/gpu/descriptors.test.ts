// Every shaders/*.wgsl kernel against its descriptor (issue #18): bindings per entry point (number,
// name, address space, access — and exactly the globals the entry point uses), Params fields in
// order, @compute @workgroup_size(<override>) with the descriptor's default. The sources go through
// the same //#include resolver the runtime uses (getShaderSource).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelArgsError, packParams, storageEntries, uniformBinding } from '../../../src/gpu/kernelDescriptor';
import { KERNELS, addKernel, attentionSoftmaxKernel, rmsnormKernel, swigluKernel } from '../../../src/gpu/kernels/descriptors';
import { getShaderSource } from '../../../src/gpu/shaderSources';
import { loadShadersFromDisk } from '../../../src/gpu/shaderSourcesNode';
import { descriptorMismatches, reflectWgsl } from './wgslReflect';

loadShadersFromDisk();
const kernelFiles = readdirSync(join(__dirname, '../../../shaders'))
  .filter((f) => f.endsWith('.wgsl') && !f.startsWith('_'))
  .map((f) => f.replace(/\.wgsl$/, ''))
  .sort();

describe('kernel descriptors match shaders/*.wgsl', () => {
  it('every kernel file has a descriptor and every descriptor a file', () => {
    expect(kernelFiles.length).toBeGreaterThan(10);
    expect(Object.keys(KERNELS).sort()).toEqual(kernelFiles);
  });

  it.each(kernelFiles)('%s', (name) => {
    expect(descriptorMismatches(KERNELS[name], getShaderSource(name))).toEqual([]);
  });

  it('models entry points that alias binding numbers (rmsnorm backward reads rstd at 3 where forward writes y)', () => {
    const w = reflectWgsl(getShaderSource('rmsnorm'));
    expect([...w.uses.get('forward')!].sort()).toEqual(['p', 'rstd_out', 'w', 'x', 'y']);
    expect([...w.uses.get('backward')!].sort()).toEqual(['dx', 'dy', 'p', 'rstd_in', 'w', 'x']);
    // helpers are followed: rope's entry points use the bindings only through rotate()
    expect([...reflectWgsl(getShaderSource('rope')).uses.get('forward')!].sort()).toEqual(['cs', 'p', 'x', 'y']);
  });
});

describe('the check fails when a shader changes without its descriptor', () => {
  const add = getShaderSource('add');
  const mutate = (from: string | RegExp, to: string) => {
    const src = add.replace(from, to);
    expect(src).not.toBe(add);
    return descriptorMismatches(addKernel, src);
  };

  it('a new binding used by an entry point', () => {
    const decl = '@group(0) @binding(4) var<storage, read> bias: array<f32>;\n';
    const src = descriptorMismatches(addKernel, decl + add.replace('  y[i] = a[i] + b[i];', '  y[i] = a[i] + b[i] + bias[i];')).join('\n');
    expect(src).toMatch(/add\.add: uses "bias"/);
    expect(src).toMatch(/WGSL binding "bias" .* is in no descriptor entry point/);
  });

  it('a new binding declared but used by no entry point', () => {
    const got = mutate(/^@compute/m, '@group(0) @binding(4) var<storage, read> spare: array<f32>;\n@compute');
    expect(got.join('\n')).toMatch(/"spare" .* is in no descriptor entry point/);
  });

  it('a changed access mode, binding number, name, Params field or workgroup size', () => {
    expect(mutate('var<storage, read> b:', 'var<storage, read_write> b:').join()).toMatch(
      /"b" is @binding\(2\) storage, read_write in WGSL/,
    );
    expect(mutate('@binding(3) var<storage, read_write> y', '@binding(5) var<storage, read_write> y').join()).toMatch(
      /"y" is @binding\(5\)/,
    );
    expect(mutate('  y[i] = a[i] + b[i];', '  acc[i] = a[i] + b[i];').join()).toMatch(
      /descriptor lists "y" but the entry point does not use it/,
    );
    expect(mutate('_p2: u32', '_p2: f32').join()).toMatch(/Params \{ n: u32, _p0: u32, _p1: u32, _p2: f32 \} in WGSL/);
    expect(mutate('@workgroup_size(WG)', '@workgroup_size(128)').join()).toMatch(/"128" is not an override constant/);
    expect(mutate('override WG: u32 = 256;', 'override WG: u32 = 128;').join()).toMatch(/overrides WG=128 in WGSL, WG=256/);
    expect(mutate('fn add_inplace(', 'fn add_in_place(').join()).toMatch(/entry points add, add_in_place in WGSL/);
  });
});

describe('descriptor-driven dispatch arguments', () => {
  const buf = (label: string) => ({ label, size: 64 }) as unknown as GPUBuffer;

  it('orders storage buffers by the entry point binding numbers, whatever the key order', () => {
    const [x, w, rs, dy, dx] = ['x', 'w', 'rstd', 'dy', 'dx'].map(buf);
    const got = storageEntries(rmsnormKernel, 'backward', { dx, dy, rstd_in: rs, w, x });
    expect(got).toEqual([
      [1, x],
      [2, w],
      [3, rs],
      [4, dy],
      [5, dx],
    ]);
    expect(uniformBinding(rmsnormKernel, 'backward')).toBe(0);
  });

  it('names the kernel and the missing or extra binding', () => {
    const b = buf('b');
    expect(() => storageEntries(attentionSoftmaxKernel, 'backward', { S: b })).toThrow(KernelArgsError);
    expect(() => storageEntries(attentionSoftmaxKernel, 'backward', { S: b })).toThrow(/attention_softmax\.backward: missing binding "G"/);
    expect(() => storageEntries(attentionSoftmaxKernel, 'forward', { S: b, G: b })).toThrow(
      /attention_softmax\.forward: extra binding "G"/,
    );
    expect(() => storageEntries(swigluKernel, 'sideways', {})).toThrow(/swiglu: no entry point "sideways"/);
  });

  it('packs Params fields in descriptor order (u32 / f32 little-endian, padding 0, 16-byte size)', () => {
    const bytes = packParams(rmsnormKernel, 'forward', { eps: 1e-5, C: 257, T: 3 });
    expect(bytes.byteLength).toBe(16);
    const v = new DataView(bytes);
    expect([v.getUint32(0, true), v.getUint32(4, true), v.getUint32(12, true)]).toEqual([3, 257, 0]);
    expect(v.getFloat32(8, true)).toBe(Math.fround(1e-5));
    expect(
      packParams(KERNELS.matmul_tiled, 'main', {
        M: 1,
        N: 2,
        K: 3,
        batch: 1,
        offA: 0,
        sAm: 3,
        sAk: 1,
        bsA: 0,
        offB: 0,
        sBk: 2,
        sBn: 1,
        bsB: 0,
        offC: 0,
        ldc: 2,
        bsC: 0,
        divA: 1,
        alpha: 0.5,
        beta: 0,
        divB: 1,
        divC: 1,
      }).byteLength,
    ).toBe(80);
  });

  it('rejects missing, extra and out-of-range params by name', () => {
    expect(() => packParams(rmsnormKernel, 'forward', { T: 1, C: 2 })).toThrow(/rmsnorm\.forward: missing param "eps"/);
    expect(() => packParams(rmsnormKernel, 'forward', { T: 1, C: 2, eps: 0, _p0: 1 })).toThrow(/extra param "_p0"/);
    expect(() => packParams(rmsnormKernel, 'forward', { T: -1, C: 2, eps: 0 })).toThrow(/param T = -1 is not a valid u32/);
    expect(() => packParams(rmsnormKernel, 'forward', { T: 1.5, C: 2, eps: 0 })).toThrow(KernelArgsError);
  });
});
