// Matmul self-check: runs the tiled kernel on seeded random inputs in all three transpositions at
// sizes that are not tile multiples and compares with the CPU reference. The studio runs it on
// start-up (and the e2e test reads its result) to prove the adapter computes correctly.
import { matmulDesc, matmulRef, type Transpose } from '../core/matmul';
import { Rng } from '../core/rng';
import { adapterLabel } from './capabilities';
import { matmul } from './kernels/matmul';
import type { GpuRuntime } from './runtime';

export interface SelfCheckCase {
  trans: Transpose;
  M: number;
  N: number;
  K: number;
  maxRelErr: number;
  ok: boolean;
}

export interface SelfCheckResult {
  adapter: string;
  ok: boolean;
  cases: SelfCheckCase[];
  seconds: number;
}

const CASES: [number, number, number][] = [
  [1, 1, 1],
  [63, 65, 17],
  [130, 70, 100],
];

export async function runMatmulSelfCheck(rt: GpuRuntime, tolerance = 1e-5): Promise<SelfCheckResult> {
  const t0 = performance.now();
  const cases: SelfCheckCase[] = [];
  const rng = new Rng(1234);
  for (const [M, N, K] of CASES) {
    for (const trans of ['nn', 'nt', 'tn'] as Transpose[]) {
      const A = rng.uniformArray(M * K);
      const B = rng.uniformArray(K * N);
      const d = matmulDesc(M, N, K, trans);
      const ref = matmulRef(A, B, new Float32Array(M * N), d);
      const gA = rt.upload(A, 'selfcheck-A');
      const gB = rt.upload(B, 'selfcheck-B');
      const gC = rt.createBuffer(M * N * 4, 'selfcheck-C');
      matmul(rt, gA, gB, gC, d);
      const got = await rt.read(gC, M * N * 4);
      rt.destroy(gA, gB, gC);
      // Relative error against the row scale (sqrt K · |x|), as for an f32 dot product.
      const scale = Math.max(1, Math.sqrt(K) / 3);
      let maxRelErr = 0;
      for (let i = 0; i < ref.length; i++) {
        maxRelErr = Math.max(maxRelErr, Math.abs(got[i] - ref[i]) / (scale + Math.abs(ref[i])));
      }
      cases.push({ trans, M, N, K, maxRelErr, ok: maxRelErr <= tolerance });
    }
  }
  return {
    adapter: adapterLabel(rt.caps),
    ok: cases.every((c) => c.ok),
    cases,
    seconds: (performance.now() - t0) / 1000,
  };
}
