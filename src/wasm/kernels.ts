// The WASM engine's kernels (docs/wasm.md): the SIMD matrix product compiled from wasm/gemm.ts, with
// its linear memory managed here. Callers place arrays in the module's memory (put), run products on
// those addresses (gemm), read results back (read), then release everything at once (reset): a bump
// allocator, because a block's products are short-lived and sized alike from step to step.
import { GEMM_SHARED_WASM_BASE64, GEMM_WASM_BASE64, SHARED_MAX_PAGES } from './binaries.generated';
import type { SortOrder } from '../core/besa/importance';
import { CONTROL_BYTES, GemmThreadPool, splitPanels, type WasmThreading } from './threads';

// The WebAssembly API, typed locally: the engine's typecheck has no DOM lib, and Node's types lack it.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<object>;
  instantiate(module: object, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
}
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface GemmExports {
  memory: WasmMemory;
  heapBase(): number;
  scratchBytes(panels: number, K: number): number;
  gemmPanels(
    ...args: [M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number, flags: number, scratch: number, p0: number, p1: number]
  ): void;
  // wasm/rows.ts
  softmaxCausal(p: number, T: number, scale: number): void;
  softmaxCausalBack(p: number, ds: number, T: number, scale: number): void;
  mulF32(dst: number, a: number, b: number, n: number): void;
  prefixAtCandidates(...args: [gm: number, sortIdx: number, wide: number, kd: number, rows: number, cols: number, G: number, D: number, pre: number, out: number]): void;
  swigluForward(gate: number, up: number, h: number, n: number): void;
  swigluBackward(gate: number, up: number, dh: number, dgate: number, dup: number, n: number): void;
  applyHardMask(wm: number, sortIdx: number, wide: number, counts: number, rows: number, cols: number, b: number): void;
  besaProbabilities(...args: [theta: number, G: number, D: number, useSigmoid: number, sig: number, z: number, p: number]): void;
  // wasm/exp.ts
  expV8Batch(src: number, dst: number, n: number, simd: number): void;
  // wasm/expf.ts
  expF32Batch(src: number, dst: number, n: number): void;
  // wasm/optim.ts
  prodigyAccumulate(
    ...args: [g: number, p: number, p0: number, m: number, v: number, s: number, n: number, beta1: number, mCoef: number, beta2: number, vCoef: number, beta3: number, sCoef: number, out: number]
  ): void;
  prodigyApply(p: number, m: number, v: number, n: number, dlr: number, epsD: number, decay: number, decayCoef: number): void;
  thetaGradFromPrefix(...args: [pre: number, p: number, cand: number, sig: number, G: number, D: number, useSigmoid: number, dLds: number, dp: number, out: number]): void;
}

/**
 * Which side of a causal [T, T] operand is zero (wasm/gemm.ts): 0 none; 1 only C on and below the
 * diagonal is wanted; 2 A(i, k) = 0 for k > i; 3 A(i, k) = 0 for k < i.
 */
export type Causal = 0 | 1 | 2 | 3;

/** Packed-B scratch per product chunk: 4 MiB covers every B of the default model and SmolLM2-135M's whole. */
const PACK_CHUNK_BYTES = 4 << 20;

/** Products below this many multiply-adds run on the calling thread alone (waking helpers costs ~10–50 µs). */
const THREADED_MIN_MACS = 1 << 20;

/** An array placed in the module's memory: byte address and length in floats. */
export interface WasmArray {
  ptr: number;
  length: number;
}

/**
 * A named region of module memory that reset() leaves alone (WasmKernels.slot): for arrays that live from
 * one op to the next (a step's masked weights, the attention probabilities between forward and backward).
 * `tag` says what the slot holds now; its owner sets it, and a slot made anew starts with none.
 */
export interface WasmSlot extends WasmArray {
  tag: unknown;
}

/** BESA's sort order [rows, cols] in module memory, u16 or (wide) i32 as the host's SortOrder was. */
export interface ModuleOrder {
  ptr: number;
  wide: boolean;
}

/** Strided view of a matrix operand in module memory: element (r, c) at ptr + 4·(r·rs + c·cs). */
export interface Operand {
  ptr: number;
  rs: number;
  cs: number;
}

export class WasmUnavailableError extends Error {
  override name = 'WasmUnavailableError';
}

export class WasmMemoryError extends Error {
  override name = 'WasmMemoryError';
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let compiled: Promise<object> | null = null;
let compiledShared: Promise<object> | null = null;

/** Whether this host can share WebAssembly memory between threads (a browser page needs cross-origin isolation). */
export function wasmThreadsSupported(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) return false;
  try {
    return wasmApi()!.validate(decodeBase64(GEMM_SHARED_WASM_BASE64));
  } catch {
    return false;
  }
}

/** Whether this host runs WebAssembly with 128-bit SIMD (the module does not validate otherwise). */
export function wasmSimdSupported(): boolean {
  const api = wasmApi();
  if (!api) return false;
  try {
    return api.validate(decodeBase64(GEMM_WASM_BASE64));
  } catch {
    return false;
  }
}

export class WasmKernels {
  private top: number;
  /** Start of the bump allocator's arrays; the slots lie between the control block and it. */
  private base: number;
  private readonly slots = new Map<string, WasmSlot>();
  /** Floating-point operations issued through gemm since creation (2·M·N·K each), for benchmarks. */
  flops = 0;

  private constructor(
    private readonly x: GemmExports,
    private readonly pool: GemmThreadPool | null = null,
    private readonly minMacs = THREADED_MIN_MACS,
    /** Why the kernels run on fewer threads than asked for (null when they do not). */
    readonly threadNote: string | null = null,
    /** Most bytes of packed B a product holds at once (gemm runs larger products in chunks of panels). */
    readonly packChunkBytes = PACK_CHUNK_BYTES,
  ) {
    this.base = (x.heapBase() + CONTROL_BYTES + 63) & ~63; // the control block sits below the arrays
    this.top = this.base;
  }

  /** Threads the products run on (the calling thread included). */
  get threads(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  /**
   * One thread by default; with `threading` (threads > 1) and shared memory available, the shared build
   * with threads − 1 helpers. Without shared memory it falls back to one thread and says why (threadNote).
   */
  static async create(threading?: WasmThreading, opts: { packChunkBytes?: number } = {}): Promise<WasmKernels> {
    const chunk = opts.packChunkBytes ?? PACK_CHUNK_BYTES;
    if (!wasmSimdSupported())
      throw new WasmUnavailableError('this browser or runtime has no WebAssembly SIMD; use a current Chrome, Edge, Firefox or Safari (16.4+), or the cpu engine');
    const api = wasmApi()!;
    const abort = () => {
      throw new Error('wasm gemm aborted');
    };
    if (threading && threading.threads > 1) {
      if (!wasmThreadsSupported())
        return new WasmKernels(await instantiatePlain(api, abort), null, undefined, 'one thread: no shared memory here (the page is not cross-origin isolated)', chunk);
      compiledShared ??= api.compile(decodeBase64(GEMM_SHARED_WASM_BASE64));
      const module = await compiledShared;
      const memory = new api.Memory({ initial: 2, maximum: SHARED_MAX_PAGES, shared: true });
      const instance = await api.instantiate(module, { env: { memory, abort } });
      const x = instance.exports as unknown as GemmExports;
      const ctl = (x.heapBase() + 63) & ~63;
      const pool = await GemmThreadPool.start(module, memory, ctl, threading.threads - 1, threading.spawn);
      return new WasmKernels(x, pool, threading.minMacs, null, chunk);
    }
    return new WasmKernels(await instantiatePlain(api, abort), null, undefined, null, chunk);
  }

  /** Stop the helper threads (the kernels still work afterwards, on one thread). */
  dispose(): void {
    this.pool?.dispose();
    this.reset();
  }

  /** Bytes of module memory in use now, and reserved (the memory never shrinks). */
  get bytesInUse(): number {
    return this.top - this.base;
  }
  get bytesReserved(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Grow the memory to hold `end` bytes (the message names what was asked for). */
  private ensure(end: number): void {
    const need = end - this.x.memory.buffer.byteLength;
    if (need <= 0) return;
    try {
      this.x.memory.grow(Math.ceil(need / 65536));
    } catch (e) {
      const mib = (x: number) => `${(x / 2 ** 20).toFixed(0)} MiB`;
      throw new WasmMemoryError(`the WASM engine needs ${mib(end)} of module memory and could not grow to it (${String(e)}); choose a smaller calibration length or the webgpu engine`);
    }
  }

  /** Reserve n floats (64-byte aligned). */
  alloc(n: number): WasmArray {
    const ptr = this.top;
    const top = (ptr + 4 * n + 63) & ~63;
    this.ensure(top);
    this.top = top;
    return { ptr, length: n };
  }

  /**
   * The slot `name` with room for n floats (or i32s), kept across reset(). Only between ops (nothing
   * allocated): a slot too small is replaced by a new one above the others (tag undefined; the old space is
   * not reused, and sizes repeat from step to step), which moves the allocator's base up.
   */
  slot(name: string, n: number): WasmSlot {
    const have = this.slots.get(name);
    if (have && have.length >= n) return have;
    if (this.top !== this.base) throw new Error(`WasmKernels.slot(${name}): called while ${this.top - this.base} bytes are allocated`);
    const ptr = this.base;
    const base = (ptr + 4 * n + 63) & ~63;
    this.ensure(base);
    this.base = this.top = base;
    const s: WasmSlot = { ptr, length: n, tag: undefined };
    this.slots.set(name, s);
    return s;
  }

  /** W ⊙ M in place for BESA's hard mask given by per-group counts and the sort order (wasm/rows.ts applyHardMask). */
  applyHardMask(wm: number, order: ModuleOrder, counts: number, rows: number, cols: number, groups: number): void {
    this.x.applyHardMask(wm, order.ptr, order.wide ? 1 : 0, counts, rows, cols, rows / groups);
  }

  /** A sort order copied into module memory in its own width (u16 stays u16: half the bytes of i32). */
  putOrder(sortIdx: SortOrder): ModuleOrder {
    const a = this.alloc(Math.ceil(sortIdx.byteLength / 4));
    this.writeOrder(a.ptr, sortIdx);
    return { ptr: a.ptr, wide: sortIdx instanceof Int32Array };
  }

  /** The slot `name` holding `sortIdx` (copied in when the slot held another order; see slot()). */
  orderSlot(name: string, sortIdx: SortOrder): ModuleOrder {
    const s = this.slot(name, Math.ceil(sortIdx.byteLength / 4));
    if (s.tag !== sortIdx) {
      this.writeOrder(s.ptr, sortIdx);
      s.tag = sortIdx;
    }
    return { ptr: s.ptr, wide: sortIdx instanceof Int32Array };
  }

  private writeOrder(ptr: number, sortIdx: SortOrder): void {
    const buf = this.x.memory.buffer;
    if (sortIdx instanceof Int32Array) new Int32Array(buf, ptr, sortIdx.length).set(sortIdx);
    else new Uint16Array(buf, ptr, sortIdx.length).set(sortIdx);
  }

  /** Copy a host array into module memory (Int32Array sources keep their bits: k_d, i32 sort orders). */
  put(src: ArrayLike<number>): WasmArray {
    const a = this.alloc(src.length);
    if (src instanceof Int32Array) new Int32Array(this.x.memory.buffer, a.ptr, src.length).set(src);
    else this.view(a).set(src);
    return a;
  }

  /** A live f64 view of n doubles at a 64-byte aligned module address (valid as view() is). */
  view64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.x.memory.buffer, ptr, n);
  }

  /** Causal softmax of a [T, T] score matrix in place, scores scaled first (wasm/rows.ts). */
  softmaxCausal(p: number, T: number, scale: number): void {
    this.x.softmaxCausal(p, T, scale);
  }

  /** dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale in place of dP, [T, T] causal (wasm/rows.ts). */
  softmaxCausalBack(p: number, ds: number, T: number, scale: number): void {
    this.x.softmaxCausalBack(p, ds, T, scale);
  }

  /** dst = a ⊙ b over n floats (f32 products, bit-identical to the JS loop). */
  mul(dst: number, a: number, b: number, n: number): void {
    this.x.mulF32(dst, a, b, n);
  }

  /** SwiGLU forward on module arrays of n floats (wasm/rows.ts). */
  swigluForward(gate: number, up: number, h: number, n: number): void {
    this.x.swigluForward(gate, up, h, n);
  }

  /** SwiGLU backward on module arrays of n floats (wasm/rows.ts). */
  swigluBackward(gate: number, up: number, dh: number, dgate: number, dup: number, n: number): void {
    this.x.swigluBackward(gate, up, dh, dgate, dup, n);
  }

  /** prefixAtCandidates (src/core/besa/grad.ts) on module arrays: out [G, D] f64, bit-identical to it. */
  prefixAtCandidates(gm: number, order: ModuleOrder, kd: number, rows: number, cols: number, G: number, D: number): Float64Array {
    const mark = this.top;
    try {
      const pre = this.alloc(2 * (cols + 1)).ptr;
      const out = this.alloc(2 * G * D).ptr;
      this.x.prefixAtCandidates(gm, order.ptr, order.wide ? 1 : 0, kd, rows, cols, G, D, pre, out);
      return this.view64(out, G * D).slice();
    } finally {
      this.top = mark;
    }
  }

  /**
   * BESA's probabilities (src/core/besa/sparsity.ts) in the module, bit-identical to them (wasm/rows.ts
   * besaProbabilities, with V8's exp): p [G, D] f32 from θ [G, D] f32; `sig`, when given with useSigmoid,
   * receives σ(θ) as probabilities(…, sig) leaves it. Leaves the allocator as it found it.
   */
  besaProbabilities(theta: Float32Array, G: number, D: number, useSigmoid: boolean, sig?: Float64Array): Float32Array {
    if (theta.length !== G * D || (sig && sig.length !== G * D)) throw new Error(`besaProbabilities: θ has ${theta.length} values and sig ${sig?.length}, ${G}·${D} expected`);
    const mark = this.top;
    try {
      const th = this.put(theta).ptr;
      const p = this.alloc(G * D);
      const z = this.alloc(2 * D).ptr;
      const s = sig && useSigmoid ? this.alloc(2 * G * D).ptr : 0;
      this.x.besaProbabilities(th, G, D, useSigmoid ? 1 : 0, s, z, p.ptr);
      if (s) sig!.set(this.view64(s, G * D));
      return this.read(p);
    } finally {
      this.top = mark;
    }
  }

  /**
   * Prodigy's first pass over one tensor of n floats at module addresses (wasm/optim.ts; the JS loop of
   * src/core/optim/prodigy.ts ArrayProdigyStore.accumulate, bit-identical). Leaves the allocator as it found it.
   */
  prodigyAccumulate(
    a: { g: number; p: number; p0: number; m: number; v: number; s: number },
    n: number,
    c: { beta1: number; mCoef: number; beta2: number; vCoef: number; beta3: number; sCoef: number },
  ): { gdot: number; sAbs: number } {
    const mark = this.top;
    try {
      const out = this.alloc(4).ptr;
      this.x.prodigyAccumulate(a.g, a.p, a.p0, a.m, a.v, a.s, n, c.beta1, c.mCoef, c.beta2, c.vCoef, c.beta3, c.sCoef, out);
      const [gdot, sAbs] = this.view64(out, 2);
      return { gdot, sAbs };
    } finally {
      this.top = mark;
    }
  }

  /**
   * BESA's dL/dθ [G, D] f32 from the prefix sums (src/core/besa/grad.ts thetaGradFromPrefix with σ(θ) given,
   * bit-identical to it; wasm/optim.ts). Leaves the allocator as it found it.
   */
  thetaGradFromPrefix(pre: ArrayLike<number>, p: Float32Array, cand: Float32Array, G: number, useSigmoid: boolean, dLds: number, sig: Float64Array): Float32Array {
    const D = cand.length;
    if (pre.length !== G * D || p.length !== G * D || sig.length !== G * D)
      throw new Error(`thetaGradFromPrefix: pre ${pre.length}, p ${p.length}, sig ${sig.length} values; ${G}·${D} expected each`);
    const mark = this.top;
    try {
      const pr = this.alloc(2 * G * D).ptr;
      this.view64(pr, G * D).set(pre);
      const sg = useSigmoid ? this.alloc(2 * G * D).ptr : 0;
      if (sg) this.view64(sg, G * D).set(sig);
      const pp = this.put(p).ptr;
      const cd = this.put(cand).ptr;
      const dp = this.alloc(2 * D).ptr;
      const out = this.alloc(G * D);
      this.x.thetaGradFromPrefix(pr, pp, cd, sg, G, D, useSigmoid ? 1 : 0, dLds, dp, out.ptr);
      return this.read(out);
    } finally {
      this.top = mark;
    }
  }

  /** Prodigy's second pass over one tensor (wasm/optim.ts prodigyApply): p updated in place at its address. */
  prodigyApply(p: number, m: number, v: number, n: number, dlr: number, epsD: number, decay: boolean, decayCoef: number): void {
    this.x.prodigyApply(p, m, v, n, dlr, epsD, decay ? 1 : 0, decayCoef);
  }

  /** dst[i] = e^src[i] over module f64 arrays with V8's algorithm (wasm/exp.ts; simd: expV8x2 in pairs); tests compare it with Math.exp. */
  expV8(src: number, dst: number, n: number, simd = true): void {
    this.x.expV8Batch(src, dst, n, simd ? 1 : 0);
  }

  /** dst[i] = e^src[i] over module f32 arrays with the softmax's and SwiGLU's f32 exp (wasm/expf.ts); for tests. */
  expF32(src: number, dst: number, n: number): void {
    this.x.expF32Batch(src, dst, n);
  }

  /** A live view of a module array: valid until the next alloc (memory growth detaches it) or reset. */
  view(a: WasmArray): Float32Array {
    return new Float32Array(this.x.memory.buffer, a.ptr, a.length);
  }

  /** A host copy of a module array. */
  read(a: WasmArray): Float32Array {
    return this.view(a).slice();
  }

  /** The allocator's position now, for freeTo. */
  mark(): number {
    return this.top;
  }

  /** Free what was allocated since mark() returned `m` (an op's scratch it no longer needs, before it takes more). */
  freeTo(m: number): void {
    if (m < this.base || m > this.top) throw new Error(`WasmKernels.freeTo(${m}): not a mark within the allocator's [${this.base}, ${this.top}]`);
    this.top = m;
  }

  /** Free everything allocated since creation. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * C[M, N] (+)= A[M, K] · B[K, N] on strided operands; C is row-major at c.ptr with leading dimension
   * ldc (accumulate: add into C instead of overwriting it; causal: skip the zero side of a causal
   * operand, see Causal). Scratch for B's panels is taken and returned here, so operands stay valid.
   */
  gemm(M: number, N: number, K: number, A: Operand, B: Operand, c: { ptr: number; ld: number }, accumulate = false, causal: Causal = 0): void {
    if (M <= 0 || N <= 0 || K <= 0) return;
    const mark = this.top;
    const panels = (N + 15) >> 4;
    const acc = (accumulate ? 1 : 0) | (causal << 1);
    const job = [M, N, K, A.ptr, A.rs, A.cs, B.ptr, B.rs, B.cs, c.ptr, c.ld, acc] as const;
    const t = this.pool && M * N * K >= this.minMacs ? Math.min(this.threads, panels) : 1;
    // B's packed panels take 64·K bytes each; a product whose B is larger than PACK_CHUNK_BYTES is run a chunk
    // of panels at a time (each panel's columns of C depend on that panel alone, so the result is the same),
    // which bounds the scratch: a 4864 × 896 W would otherwise need 17 MiB of it (docs/real-models.md §2)
    const chunk = Math.max(t, Math.floor(this.packChunkBytes / (64 * K)));
    try {
      for (let c0 = 0; c0 < panels; c0 += chunk) {
        const c1 = Math.min(panels, c0 + chunk);
        const inner = this.top;
        if (t === 1) {
          const scratch = this.alloc(this.x.scratchBytes(c1 - c0, K) / 4).ptr;
          this.x.gemmPanels(...job, scratch, c0, c1);
        } else {
          // thread 0 is this one; helper h takes part h + 1 (helpers past t − 1 get an empty range)
          const parts = splitPanels(c1 - c0, t).map(([p0, p1]) => [this.alloc(this.x.scratchBytes(p1 - p0, K) / 4).ptr, c0 + p0, c0 + p1] as [number, number, number]);
          const [own, ...rest] = parts;
          this.pool!.run([...job], rest, () => this.x.gemmPanels(...job, ...own));
        }
        this.top = inner;
      }
    } finally {
      this.top = mark;
    }
    this.flops += 2 * M * N * K;
  }
}

async function instantiatePlain(api: WasmApi, abort: () => never): Promise<GemmExports> {
  compiled ??= api.compile(decodeBase64(GEMM_WASM_BASE64));
  const instance = await api.instantiate(await compiled, { env: { abort } });
  return instance.exports as unknown as GemmExports;
}

/** Row-major [rows, cols] operand at a (cols = row stride); transposed reads it as [cols, rows]. */
export function rowMajor(a: WasmArray | number, cols: number, transposed = false, offset = 0): Operand {
  const ptr = (typeof a === 'number' ? a : a.ptr) + 4 * offset;
  return transposed ? { ptr, rs: 1, cs: cols } : { ptr, rs: cols, cs: 1 };
}
