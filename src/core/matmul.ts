// CPU reference for shaders/matmul_tiled.wgsl and matmul_naive.wgsl (same stride semantics),
// accumulating in f64. Also the plain TypeScript matmul the benchmark compares against.

/** Strided batched matmul description: C[b] = alpha·op(A[b])·op(B[b]) + beta·C[b]. */
export interface MatmulDesc {
  M: number;
  N: number;
  K: number;
  batch?: number;
  offA?: number;
  sAm: number;
  sAk: number;
  bsA?: number;
  offB?: number;
  sBk: number;
  sBn: number;
  bsB?: number;
  offC?: number;
  ldc?: number;
  bsC?: number;
  alpha?: number;
  beta?: number;
  /** Batch divisors: operand X of batch b is X at batch index floor(b / divX) (default 1). */
  divA?: number;
  divB?: number;
  divC?: number;
}

/**
 * The common shapes, row-major storage:
 *  'nn': A [M,K] · B [K,N];  'nt': A [M,K] · Bᵀ with B [N,K];  'tn': Aᵀ · B with A [K,M], B [K,N].
 */
export type Transpose = 'nn' | 'nt' | 'tn';

export function matmulDesc(M: number, N: number, K: number, trans: Transpose = 'nn'): MatmulDesc {
  const a = trans === 'tn' ? { sAm: 1, sAk: M } : { sAm: K, sAk: 1 };
  const b = trans === 'nt' ? { sBk: 1, sBn: K } : { sBk: N, sBn: 1 };
  return { M, N, K, ...a, ...b, ldc: N };
}

/** Reference: f64 accumulation, writes into C (which must be sized for the description). */
export function matmulRef(A: ArrayLike<number>, B: ArrayLike<number>, C: Float32Array, d: MatmulDesc): Float32Array {
  const batch = d.batch ?? 1;
  const alpha = d.alpha ?? 1;
  const beta = d.beta ?? 0;
  const ldc = d.ldc ?? d.N;
  for (let b = 0; b < batch; b++) {
    const a0 = (d.offA ?? 0) + Math.floor(b / (d.divA ?? 1)) * (d.bsA ?? 0);
    const b0 = (d.offB ?? 0) + Math.floor(b / (d.divB ?? 1)) * (d.bsB ?? 0);
    const c0 = (d.offC ?? 0) + Math.floor(b / (d.divC ?? 1)) * (d.bsC ?? 0);
    for (let i = 0; i < d.M; i++) {
      for (let j = 0; j < d.N; j++) {
        let acc = 0;
        for (let k = 0; k < d.K; k++) acc += A[a0 + i * d.sAm + k * d.sAk] * B[b0 + k * d.sBk + j * d.sBn];
        const idx = c0 + i * ldc + j;
        C[idx] = alpha * acc + (beta !== 0 ? beta * C[idx] : 0);
      }
    }
  }
  return C;
}

/** Plain TypeScript A [M,K] · B [K,N] in f32 with an i-k-j loop (the benchmark's CPU baseline). */
export function matmulTs(A: Float32Array, B: Float32Array, M: number, K: number, N: number): Float32Array {
  const C = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      const bk = k * N;
      for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
    }
  }
  return C;
}
