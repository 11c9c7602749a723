// SparseGPT `fasterprune` for one linear layer (docs/besa.md §4; IST-DASLab/sparsegpt sparsegpt.py).
// W is [rows = out, cols = in] row-major, H = (2/N) Σ XᵀX is [in, in] (HessianStats). Work is in
// f64; the result is rounded to f32 once at the end (the reference keeps W in f32 throughout).
// The core is a generator that yields each lazy batched update `Err1 @ Hinv[i1:i2, i2:]` as a
// matmul request, so a sync CPU matmul or an async GPU matmul can be plugged in without copying
// the algorithm.

import { choleskyInverse, choleskyLower, matmulF64 } from './linalg64';
import { type LayerMatrix, PruneInputError, checkLayer, checkSparsity } from './magnitude';
import { type NMPattern, countPruned, parseNM, pruneSmallestInGroup, validateNM } from './nm';

/** C [m, n] = A [m, k] · B [k, n]; may return f32 (e.g. a GPU kernel). */
export type MatmulFn = (a: Float64Array, b: Float64Array, m: number, k: number, n: number) => Float64Array | Float32Array;
export type MatmulAsyncFn = (a: Float64Array, b: Float64Array, m: number, k: number, n: number) => Promise<Float64Array | Float32Array>;

export interface SparseGptOptions {
  /** unstructured fraction in [0, 1); ignored by the reference when N:M is set (must then equal N/M or be omitted) */
  sparsity?: number;
  /** adaptive N:M ("2:4", "4:8") */
  nm?: string | NMPattern;
  /** columns per block (mask-selection group and lazy-update width); reference 128 */
  blocksize?: number;
  /** damping λ = percdamp · mean(diag H); reference 0.01 */
  percdamp?: number;
  /** on a failed Cholesky, retry with 10× percdamp (0 → 0.01) this many times; default 3 */
  maxRetries?: number;
  /** lazy-update matmul (default CPU f64) */
  matmul?: MatmulFn;
}

export interface SparseGptResult {
  /** pruned and OBS-updated W, [out, in] f32 */
  weights: Float32Array;
  /** [out, in], 1 = pruned */
  mask: Uint8Array;
  pruned: number;
  /** percdamp that gave a positive-definite H (the requested one unless retries > 0) */
  dampingUsed: number;
  /** the absolute λ added to diag H */
  dampingAbs: number;
  /** number of Cholesky failures before success */
  retries: number;
  /** per-row OBS loss Σ_i (w−q)²/(2 d_i²), the reference's `Losses`, [out] */
  losses: Float64Array;
  /** Σ losses (the "error" the reference prints) */
  totalLoss: number;
  /** input columns with diag H == 0 (no calibration signal): their weights are zeroed */
  deadColumns: number[];
}

/** H (even after the damping retries) is not positive definite. */
export class HessianNotPositiveDefiniteError extends Error {
  override name = 'HessianNotPositiveDefiniteError';
}

export interface PreparedHinv {
  /** upper Cholesky factor U of (H + λI)⁻¹ = UᵀU, [in, in] (lower triangle zero) */
  hinvU: Float64Array;
  dead: number[];
  dampingUsed: number;
  dampingAbs: number;
  retries: number;
}

/**
 * Dead columns, damping and Hinv = chol_upper(cholesky_inverse(chol(H + λI))) (docs/besa.md §4). H is not
 * modified. Retries with 10× percdamp while either Cholesky fails.
 */
export function prepareHinv(H: Float64Array, n: number, percdamp = 0.01, maxRetries = 3): PreparedHinv {
  if (H.length !== n * n) {
    throw new PruneInputError(
      `SparseGPT: H has ${H.length} values, expected [in, in] = ${n}×${n}; collect HessianStats on this layer's inputs.`,
    );
  }
  if (!(percdamp >= 0)) throw new PruneInputError(`SparseGPT: percdamp = ${percdamp} must be >= 0 (reference 0.01).`);
  const h = Float64Array.from(H);
  const dead: number[] = [];
  for (let d = 0; d < n; d++) {
    const v = h[d * n + d];
    if (!Number.isFinite(v)) throw new PruneInputError(`SparseGPT: diag H[${d}] = ${v}; the calibration inputs contain NaN/Inf.`);
    if (v === 0) {
      dead.push(d);
      h[d * n + d] = 1;
    }
  }
  let mean = 0;
  for (let d = 0; d < n; d++) mean += h[d * n + d];
  mean /= n;
  let p = percdamp;
  let tried = p;
  let last = '';
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    tried = p;
    const lambda = p * mean;
    const hd = Float64Array.from(h);
    for (let d = 0; d < n; d++) hd[d * n + d] += lambda;
    const c1 = choleskyLower(hd, n);
    if (c1.ok) {
      const c2 = choleskyLower(choleskyInverse(c1.L, n), n);
      if (c2.ok) {
        const U = new Float64Array(n * n); // U = L2ᵀ
        for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) U[j * n + i] = c2.L[i * n + j];
        return { hinvU: U, dead, dampingUsed: p, dampingAbs: lambda, retries: attempt };
      }
      last = `Cholesky of H⁻¹ failed at pivot ${c2.index} (${c2.pivot})`;
    } else {
      last = `Cholesky of H failed at pivot ${c1.index} (${c1.pivot})`;
    }
    p = p > 0 ? p * 10 : 0.01;
  }
  throw new HessianNotPositiveDefiniteError(
    `SparseGPT: H + λI is not positive definite after ${maxRetries} damping retries (last percdamp tried ` +
      `${tried}; ${last}). Use more calibration samples/tokens (H needs rank = in-features = ${n}) ` +
      `or a higher percdamp (e.g. 0.1).`,
  );
}

interface MatmulRequest {
  a: Float64Array;
  b: Float64Array;
  m: number;
  k: number;
  n: number;
}

interface CoreOut {
  mask: Uint8Array;
  losses: Float64Array;
}

/** Parse and check options shared by the lazy and reference variants. */
function resolveOptions(layer: LayerMatrix, opts: SparseGptOptions): { nm?: NMPattern; sparsity: number; blocksize: number } {
  checkLayer(layer, 'SparseGPT');
  const blocksize = opts.blocksize ?? 128;
  if (!Number.isInteger(blocksize) || blocksize <= 0)
    throw new PruneInputError(`SparseGPT: blocksize = ${blocksize} must be a positive integer (reference 128).`);
  if (opts.nm !== undefined) {
    const nm = parseNM(opts.nm);
    validateNM(nm, layer.in, opts.sparsity);
    if (blocksize % nm.m !== 0) {
      throw new PruneInputError(
        `SparseGPT: blocksize ${blocksize} must be a multiple of M = ${nm.m} so N:M groups do not straddle blocks.`,
      );
    }
    return { nm, sparsity: nm.n / nm.m, blocksize };
  }
  if (opts.sparsity === undefined) throw new PruneInputError('SparseGPT: give `sparsity` (e.g. 0.5) or an `nm` pattern.');
  checkSparsity(opts.sparsity);
  return { sparsity: opts.sparsity, blocksize };
}

/**
 * Unstructured mask of one block, chosen once jointly over all rows (docs/besa.md §4):
 * tmp = W1² / diag(Hinv1)², thresh = sort(tmp)[int(numel·s)], mask = tmp <= thresh (reference `<=`:
 * floor(numel·s) + 1 entries plus ties). W is [rows, cols]; the block is columns [c0, c0 + count).
 */
function selectBlockMask(
  W: Float64Array,
  rows: number,
  cols: number,
  U: Float64Array,
  c0: number,
  count: number,
  s: number,
  mask: Uint8Array,
): void {
  const tmp = new Float64Array(rows * count);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < count; c++) {
      const d = U[(c0 + c) * cols + c0 + c];
      const w = W[r * cols + c0 + c];
      tmp[r * count + c] = (w * w) / (d * d);
    }
  }
  const thresh = Float64Array.from(tmp).sort()[Math.floor(tmp.length * s)];
  for (let r = 0; r < rows; r++) for (let c = 0; c < count; c++) if (tmp[r * count + c] <= thresh) mask[r * cols + c0 + c] = 1;
}

/** Adaptive N:M for the group starting at column `col` on the current (updated) W (reference `i % prunem == 0`). */
function selectGroupMask(W: Float64Array, rows: number, cols: number, U: Float64Array, col: number, nm: NMPattern, mask: Uint8Array): void {
  const sc = new Float64Array(nm.m); // one row's group scores, [M]
  const mk = new Uint8Array(nm.m);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nm.m; j++) {
      const d = U[(col + j) * cols + col + j];
      const w = W[r * cols + col + j];
      sc[j] = (w * w) / (d * d);
      mk[j] = 0;
    }
    pruneSmallestInGroup(sc, nm.m, 0, 0, nm.m, nm.n, mk);
    for (let j = 0; j < nm.m; j++) if (mk[j]) mask[r * cols + col + j] = 1;
  }
}

/**
 * The blocked algorithm with lazy batched updates. W [rows, cols] is a working f64 copy (mutated;
 * ends as the pruned weights). Yields one matmul request per block except the last.
 */
function* fasterpruneCore(
  W: Float64Array,
  rows: number,
  cols: number,
  U: Float64Array,
  sparsity: number,
  nm: NMPattern | undefined,
  blocksize: number,
): Generator<MatmulRequest, CoreOut, Float64Array | Float32Array> {
  const mask = new Uint8Array(rows * cols);
  const losses = new Float64Array(rows);
  for (let i1 = 0; i1 < cols; i1 += blocksize) {
    const i2 = Math.min(i1 + blocksize, cols);
    const count = i2 - i1;
    // The block's columns are updated in place inside W (W plays W1; Q1 is written back column by column).
    if (!nm) selectBlockMask(W, rows, cols, U, i1, count, sparsity, mask);
    const err1 = new Float64Array(rows * count); // [rows, count]
    for (let i = 0; i < count; i++) {
      const col = i1 + i;
      if (nm && i % nm.m === 0) selectGroupMask(W, rows, cols, U, col, nm, mask);
      const urow = col * cols; // Hinv1[i, i:] = U[col, col:i2]
      const d = U[urow + col];
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const w = W[o + col];
        const q = mask[o + col] ? 0 : w;
        const e = (w - q) / d;
        losses[r] += (e * e) / 2;
        err1[r * count + i] = e;
        // OBS update of the remaining columns of this block (column col itself becomes q)
        if (e !== 0) for (let j = col + 1; j < i2; j++) W[o + j] -= e * U[urow + j];
        W[o + col] = q;
      }
    }
    if (i2 < cols) {
      const n = cols - i2;
      const b = new Float64Array(count * n); // Hinv[i1:i2, i2:], [count, n]
      for (let i = 0; i < count; i++) b.set(U.subarray((i1 + i) * cols + i2, (i1 + i + 1) * cols), i * n);
      const prod = yield { a: err1, b, m: rows, k: count, n };
      if (prod.length !== rows * n) throw new PruneInputError(`SparseGPT: matmul returned ${prod.length} values, expected ${rows}×${n}.`);
      for (let r = 0; r < rows; r++) {
        const o = r * cols + i2;
        const p = r * n;
        for (let j = 0; j < n; j++) W[o + j] -= prod[p + j];
      }
    }
  }
  return { mask, losses };
}

function setup(layer: LayerMatrix, H: Float64Array, opts: Omit<SparseGptOptions, 'matmul'>) {
  const cfg = resolveOptions(layer, opts);
  const prep = prepareHinv(H, layer.in, opts.percdamp ?? 0.01, opts.maxRetries ?? 3);
  const W = Float64Array.from(layer.w);
  for (const d of prep.dead) for (let r = 0; r < layer.out; r++) W[r * layer.in + d] = 0;
  return { cfg, prep, W };
}

function finish(W: Float64Array, core: CoreOut, prep: PreparedHinv): SparseGptResult {
  let total = 0;
  for (let r = 0; r < core.losses.length; r++) total += core.losses[r];
  return {
    weights: Float32Array.from(W),
    mask: core.mask,
    pruned: countPruned(core.mask),
    dampingUsed: prep.dampingUsed,
    dampingAbs: prep.dampingAbs,
    retries: prep.retries,
    losses: core.losses,
    totalLoss: total,
    deadColumns: prep.dead,
  };
}

/** SparseGPT fasterprune (lazy batched updates, sync matmul). */
export function pruneSparseGpt(layer: LayerMatrix, H: Float64Array, opts: SparseGptOptions): SparseGptResult {
  const { cfg, prep, W } = setup(layer, H, opts);
  const mm = opts.matmul ?? matmulF64;
  const gen = fasterpruneCore(W, layer.out, layer.in, prep.hinvU, cfg.sparsity, cfg.nm, cfg.blocksize);
  let step = gen.next();
  while (!step.done) step = gen.next(mm(step.value.a, step.value.b, step.value.m, step.value.k, step.value.n));
  return finish(W, step.value, prep);
}

/** Same as pruneSparseGpt with an async matmul (e.g. a WebGPU kernel) for the lazy updates. */
export async function pruneSparseGptAsync(
  layer: LayerMatrix,
  H: Float64Array,
  opts: Omit<SparseGptOptions, 'matmul'> & { matmul: MatmulAsyncFn },
): Promise<SparseGptResult> {
  const { cfg, prep, W } = setup(layer, H, opts);
  const gen = fasterpruneCore(W, layer.out, layer.in, prep.hinvU, cfg.sparsity, cfg.nm, cfg.blocksize);
  let step = gen.next();
  while (!step.done) step = gen.next(await opts.matmul(step.value.a, step.value.b, step.value.m, step.value.k, step.value.n));
  return finish(W, step.value, prep);
}

/**
 * Reference variant for tests: the same masks (chosen every `blocksize` columns on the current
 * weights) but every column's OBS update is applied eagerly to ALL later columns, with no Err1
 * batching. Mathematically identical to pruneSparseGpt; differs only by rounding.
 */
export function pruneSparseGptReference(layer: LayerMatrix, H: Float64Array, opts: SparseGptOptions): SparseGptResult {
  const { cfg, prep, W } = setup(layer, H, opts);
  const rows = layer.out;
  const cols = layer.in;
  const U = prep.hinvU;
  const mask = new Uint8Array(rows * cols);
  const losses = new Float64Array(rows);
  for (let col = 0; col < cols; col++) {
    if (!cfg.nm && col % cfg.blocksize === 0)
      selectBlockMask(W, rows, cols, U, col, Math.min(cfg.blocksize, cols - col), cfg.sparsity, mask);
    if (cfg.nm && col % cfg.nm.m === 0) selectGroupMask(W, rows, cols, U, col, cfg.nm, mask);
    const d = U[col * cols + col];
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const w = W[o + col];
      const q = mask[o + col] ? 0 : w;
      const e = (w - q) / d;
      losses[r] += (e * e) / 2;
      for (let j = col + 1; j < cols; j++) W[o + j] -= e * U[col * cols + j];
      W[o + col] = q;
    }
  }
  return finish(W, { mask, losses }, prep);
}
