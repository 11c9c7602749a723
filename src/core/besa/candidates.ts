// Candidate sparsities and the per-candidate prune counts (docs/besa.md §1.3, §1.5).
// models/sparse_layers.init_learn_sparsity:
//   cand = torch.arange(1.0, -step, -step); cand[-1] = 0.0           (float32 tensor)
//   prob_map_matrix[d, :int(C * cand[d].item())] = 1                 (k_d, in f64 of the f32 value)

import type { Vec } from '../ops/vec';

/**
 * How torch evaluated arange in float32, which moves some candidates by one ulp (and so k_d by one
 * when C·cand_d is an integer): 'cpu' = start + i·step in f64, rounded once (CPU kernel, acc type
 * double); 'cuda' = f32 multiply then f32 add; 'cuda-fma' = the same contracted to one fma.
 */
export type ArangeArith = 'cpu' | 'cuda' | 'cuda-fma';

export class CandidateError extends Error {
  constructor(step: number) {
    super(`candidates: step=${step} must be in (0, 1]; BESA uses --sparsity-step 0.01`);
    this.name = 'CandidateError';
  }
}

/** 1.00, 1−step, …, 0 (descending float32 values, last set to exactly 0 as in the reference). */
export function candidates(step = 0.01, arith: ArangeArith = 'cpu'): Float32Array {
  if (!(step > 0 && step <= 1)) throw new CandidateError(step);
  // torch size rule for arange: ceil((end − start) / step), in f64
  const n = Math.ceil((-step - 1.0) / -step);
  const c = new Float32Array(n);
  const stepF = Math.fround(-step);
  for (let i = 0; i < n; i++) {
    if (arith === 'cpu') c[i] = 1.0 + i * -step;
    else if (arith === 'cuda') c[i] = 1.0 + Math.fround(i * stepF);
    else c[i] = 1.0 + i * stepF; // exact in f64 (24-bit × small int), rounded once = fma
  }
  c[n - 1] = 0;
  return c;
}

/** k_d = int(C · cand_d): how many lowest-importance positions candidate d prunes (descending in d). */
export function pruneCountsPerCandidate(C: number, cand: Vec): Int32Array {
  const k = new Int32Array(cand.length);
  for (let d = 0; d < cand.length; d++) k[d] = Math.trunc(C * cand[d]);
  return k;
}
