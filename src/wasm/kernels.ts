// The WASM engine's kernels (docs/wasm.md): the SIMD matrix product compiled from wasm/gemm.ts, with
// its linear memory managed here. Callers place arrays in the module's memory (put), run products on
// those addresses (gemm), read results back (read), then release everything at once (reset): a bump
// allocator, because a block's products are short-lived and sized alike from step to step.
import { GEMM_WASM_BASE64 } from './binaries.generated';

// The WebAssembly API, typed locally: the engine's typecheck has no DOM lib, and Node's types lack it.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<object>;
  instantiate(module: object, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
}
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface GemmExports {
  memory: WasmMemory;
  heapBase(): number;
  scratchBytes(N: number, K: number): number;
  gemm(M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number, acc: number, scratch: number): void;
}

/** An array placed in the module's memory: byte address and length in floats. */
export interface WasmArray {
  ptr: number;
  length: number;
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

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let compiled: Promise<object> | null = null;

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
  private readonly base: number;
  /** Floating-point operations issued through gemm since creation (2·M·N·K each), for benchmarks. */
  flops = 0;

  private constructor(private readonly x: GemmExports) {
    this.base = (x.heapBase() + 63) & ~63;
    this.top = this.base;
  }

  static async create(): Promise<WasmKernels> {
    if (!wasmSimdSupported())
      throw new WasmUnavailableError('this browser or runtime has no WebAssembly SIMD; use a current Chrome, Edge, Firefox or Safari (16.4+), or the cpu engine');
    const api = wasmApi()!;
    compiled ??= api.compile(decodeBase64(GEMM_WASM_BASE64));
    const instance = await api.instantiate(await compiled, { env: { abort: () => { throw new Error('wasm gemm aborted'); } } });
    return new WasmKernels(instance.exports as unknown as GemmExports);
  }

  /** Bytes of module memory in use now, and reserved (the memory never shrinks). */
  get bytesInUse(): number {
    return this.top - this.base;
  }
  get bytesReserved(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Reserve n floats (64-byte aligned). */
  alloc(n: number): WasmArray {
    const ptr = this.top;
    this.top = (ptr + 4 * n + 63) & ~63;
    const need = this.top - this.x.memory.buffer.byteLength;
    if (need > 0) this.x.memory.grow(Math.ceil(need / 65536));
    return { ptr, length: n };
  }

  /** Copy a host array into module memory. */
  put(src: ArrayLike<number>): WasmArray {
    const a = this.alloc(src.length);
    this.view(a).set(src);
    return a;
  }

  /** A live view of a module array: valid until the next alloc (memory growth detaches it) or reset. */
  view(a: WasmArray): Float32Array {
    return new Float32Array(this.x.memory.buffer, a.ptr, a.length);
  }

  /** A host copy of a module array. */
  read(a: WasmArray): Float32Array {
    return this.view(a).slice();
  }

  /** Free everything allocated since creation. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * C[M, N] (+)= A[M, K] · B[K, N] on strided operands; C is row-major at c.ptr with leading dimension
   * ldc (accumulate: add into C instead of overwriting it). Scratch for B's panels is taken and
   * returned here, so operands stay valid.
   */
  gemm(M: number, N: number, K: number, A: Operand, B: Operand, c: { ptr: number; ld: number }, accumulate = false): void {
    if (M <= 0 || N <= 0 || K <= 0) return;
    const mark = this.top;
    const scratch = this.alloc(this.x.scratchBytes(N, K) / 4).ptr;
    this.x.gemm(M, N, K, A.ptr, A.rs, A.cs, B.ptr, B.rs, B.cs, c.ptr, c.ld, accumulate ? 1 : 0, scratch);
    this.top = mark;
    this.flops += 2 * M * N * K;
  }
}

/** Row-major [rows, cols] operand at a (cols = row stride); transposed reads it as [cols, rows]. */
export function rowMajor(a: WasmArray | number, cols: number, transposed = false, offset = 0): Operand {
  const ptr = (typeof a === 'number' ? a : a.ptr) + 4 * offset;
  return transposed ? { ptr, rs: 1, cs: cols } : { ptr, rs: cols, cs: 1 };
}
