// One descriptor per shaders/<name>.wgsl (src/gpu/kernelDescriptor.ts): entry points with their
// bindings by WGSL name, the Params fields in order, the @workgroup_size override defaults.
// tests/unit/gpu/descriptors.test.ts parses the WGSL and fails on any mismatch, so a binding added
// to a shader without updating its descriptor here is caught on the CPU tier.
import { defineKernel, read, readWrite, uniform, type KernelDescriptor } from '../kernelDescriptor';

/** shaders/_params_n.wgsl: elementwise kernels over n values. */
const PARAMS_N = { n: 'u32', _p0: 'u32', _p1: 'u32', _p2: 'u32' } as const;
/** shaders/_params_matmul.wgsl: the strided matmul description (src/core/matmul.ts MatmulDesc). */
const PARAMS_MATMUL = {
  M: 'u32',
  N: 'u32',
  K: 'u32',
  batch: 'u32',
  offA: 'u32',
  sAm: 'u32',
  sAk: 'u32',
  bsA: 'u32',
  offB: 'u32',
  sBk: 'u32',
  sBn: 'u32',
  bsB: 'u32',
  offC: 'u32',
  ldc: 'u32',
  bsC: 'u32',
  divA: 'u32',
  alpha: 'f32',
  beta: 'f32',
  divB: 'u32',
  divC: 'u32',
} as const;
/** A [A, B] → C matmul binding set (A is [M, K], B is [K, N], C is [M, N] via strides). */
const MATMUL_BINDINGS = { p: uniform(0), A: read(1), B: read(2), C: readWrite(3) };

export const addKernel = defineKernel({
  shader: 'add',
  params: PARAMS_N,
  workgroupSize: { WG: 256 },
  entryPoints: {
    add: { p: uniform(0), a: read(1), b: read(2), y: readWrite(3) }, // y[n] = a + b
    add_inplace: { p: uniform(0), a: read(1), acc: readWrite(2) }, // acc[n] += a
  },
});

export const attentionSoftmaxKernel = defineKernel({
  shader: 'attention_softmax',
  params: { T: 'u32', H: 'u32', scale: 'f32', offset: 'u32' },
  workgroupSize: { WG: 64 },
  entryPoints: {
    forward: { p: uniform(0), S: readWrite(1) }, // S [H, T, offset+T] scores → probs
    backward: { p: uniform(0), S: readWrite(1), G: readWrite(2) }, // S = P [H, T, T]; G: dP → dS
  },
});

export const besaHardMaskKernel = defineKernel({
  shader: 'besa_hard_mask',
  params: { rows: 'u32', cols: 'u32', groupSize: 'u32', strideX: 'u32' },
  workgroupSize: { WG: 256 },
  // sortIdx [rows, cols] u32, n [G] u32, M [rows, cols]
  entryPoints: { main: { p: uniform(0), sortIdx: read(1), n: read(2), M: readWrite(3) } },
});

export const besaPrefixGradKernel = defineKernel({
  shader: 'besa_prefix_grad',
  params: { rows: 'u32', cols: 'u32', D: 'u32', strideX: 'u32' },
  workgroupSize: { WG: 64 },
  // G [rows, cols], sortIdx [rows, cols] u32, kd [D] u32, outPre [rows, D] (segment sums, then suffix sums in place)
  entryPoints: {
    segments: { p: uniform(0), G: read(1), sortIdx: read(2), kd: read(3), outPre: readWrite(4) },
    suffix: { p: uniform(0), outPre: readWrite(4) },
  },
});

export const biasAddKernel = defineKernel({
  shader: 'bias_add',
  params: { n: 'u32', out: 'u32', _p0: 'u32', _p1: 'u32' },
  workgroupSize: { WG: 256 },
  entryPoints: { main: { p: uniform(0), bias: read(1), y: readWrite(2) } }, // bias [Out], y [T, Out]
});

export const crossEntropyKernel = defineKernel({
  shader: 'cross_entropy',
  params: { T: 'u32', n: 'u32', v0: 'u32', ldl: 'u32', first: 'u32', last: 'u32', _pad0: 'u32', _pad1: 'u32' },
  workgroupSize: { WG: 64 },
  // logits [T, ldl], targets [T] u32, state [T, 4], nll [T]
  entryPoints: { main: { p: uniform(0), logits: read(1), targets: read(2), state: readWrite(3), nll: readWrite(4) } },
});

export const embeddingKernel = defineKernel({
  shader: 'embedding',
  params: { T: 'u32', C: 'u32', v0: 'u32', rows: 'u32' },
  workgroupSize: { WG: 64 },
  // ids [T] u32, table [rows, C] (one vocabulary chunk), out [T, C]
  entryPoints: { main: { p: uniform(0), ids: read(1), table: read(2), out: readWrite(3) } },
});

export const geluKernel = defineKernel({
  shader: 'gelu',
  params: PARAMS_N,
  workgroupSize: { WG: 256 },
  entryPoints: {
    forward: { p: uniform(0), u: read(1), h: readWrite(2) }, // u, h [T, F]
    backward: { p: uniform(0), u: read(1), dh: read(2), du: readWrite(3) }, // all [T, F]
  },
});

export const layernormKernel = defineKernel({
  shader: 'layernorm',
  params: { T: 'u32', C: 'u32', eps: 'f32', _p0: 'u32' },
  workgroupSize: { WG: 64 },
  entryPoints: {
    // x [T, C], w [C], b [C], y [T, C], mean_out [T], rstd_out [T]
    forward: { p: uniform(0), x: read(1), w: read(2), b: read(3), y: readWrite(4), mean_out: readWrite(5), rstd_out: readWrite(6) },
    // x [T, C], w [C], mean_in [T], rstd_in [T], dy [T, C], dx [T, C]
    backward: { p: uniform(0), x: read(1), w: read(2), mean_in: read(3), rstd_in: read(4), dy: read(5), dx: readWrite(6) },
  },
});

export const maskApplyKernel = defineKernel({
  shader: 'mask_apply',
  params: PARAMS_N,
  workgroupSize: { WG: 256 },
  entryPoints: {
    apply: { p: uniform(0), a: read(1), b: read(2), out: readWrite(3) }, // out = a ⊙ b, all [Out, In]
    apply_acc: { p: uniform(0), a: read(1), b: read(2), out: readWrite(3) }, // out += a ⊙ b
  },
});

export const matmulNaiveKernel = defineKernel({
  shader: 'matmul_naive',
  params: PARAMS_MATMUL,
  workgroupSize: { WG_X: 16, WG_Y: 16 },
  entryPoints: { main: MATMUL_BINDINGS },
});

export const matmulTiledKernel = defineKernel({
  shader: 'matmul_tiled',
  params: PARAMS_MATMUL,
  workgroupSize: { WG_X: 16, WG_Y: 16 },
  fixedWorkgroupSize: true, // 64×64 tiles, 4×4 per thread: the indexing assumes 16×16 threads
  entryPoints: { main: MATMUL_BINDINGS },
});

export const positionAddKernel = defineKernel({
  shader: 'position_add',
  params: { T: 'u32', C: 'u32', t0: 'u32', _p0: 'u32' },
  workgroupSize: { WG: 256 },
  entryPoints: { main: { p: uniform(0), pos: read(1), x: readWrite(2) } }, // pos [P, C], x [T, C]
});

export const reconLossKernel = defineKernel({
  shader: 'recon_loss',
  params: { T: 'u32', C: 'u32', _p0: 'u32', _p1: 'u32' },
  workgroupSize: { WG: 256 },
  // y, yRef, dy [T, C]; partial [C]
  entryPoints: { main: { p: uniform(0), y: read(1), yRef: read(2), dy: readWrite(3), partial: readWrite(4) } },
});

export const rmsnormKernel = defineKernel({
  shader: 'rmsnorm',
  params: { T: 'u32', C: 'u32', eps: 'f32', _p0: 'u32' },
  workgroupSize: { WG: 64 },
  entryPoints: {
    // x [T, C], w [C], y [T, C], rstd_out [T]
    forward: { p: uniform(0), x: read(1), w: read(2), y: readWrite(3), rstd_out: readWrite(4) },
    // x [T, C], w [C], rstd_in [T], dy [T, C], dx [T, C]
    backward: { p: uniform(0), x: read(1), w: read(2), rstd_in: read(3), dy: read(4), dx: readWrite(5) },
  },
});

export const ropeKernel = defineKernel({
  shader: 'rope',
  params: { T: 'u32', H: 'u32', D: 'u32', interleaved: 'u32', t0: 'u32' },
  workgroupSize: { WG: 256 },
  entryPoints: {
    // cs [rows, D/2, 2] (cos, sin), x and y [T, H·D]
    forward: { p: uniform(0), cs: read(1), x: read(2), y: readWrite(3) },
    backward: { p: uniform(0), cs: read(1), x: read(2), y: readWrite(3) },
  },
});

export const sumKernel = defineKernel({
  shader: 'sum',
  params: { n: 'u32', outOffset: 'u32', accumulate: 'u32', scale: 'f32' },
  workgroupSize: { WG: 256 },
  entryPoints: { main: { p: uniform(0), x: read(1), out: readWrite(2) } }, // x [n], out [outOffset + groups]
});

export const swigluKernel = defineKernel({
  shader: 'swiglu',
  params: PARAMS_N,
  workgroupSize: { WG: 256 },
  entryPoints: {
    forward: { p: uniform(0), gate: read(1), up: read(2), h: readWrite(3) }, // all [T, F]
    backward: { p: uniform(0), gate: read(1), up: read(2), dh: read(3), dgate: readWrite(4), dup: readWrite(5) },
  },
});

/** Every kernel by shader name (the unit test checks this covers shaders/*.wgsl exactly). */
export const KERNELS: Readonly<Record<string, KernelDescriptor>> = Object.fromEntries(
  [
    addKernel,
    attentionSoftmaxKernel,
    besaHardMaskKernel,
    besaPrefixGradKernel,
    biasAddKernel,
    crossEntropyKernel,
    embeddingKernel,
    geluKernel,
    layernormKernel,
    maskApplyKernel,
    matmulNaiveKernel,
    matmulTiledKernel,
    positionAddKernel,
    reconLossKernel,
    rmsnormKernel,
    ropeKernel,
    sumKernel,
    swigluKernel,
  ].map((k) => [k.shader, k]),
);
