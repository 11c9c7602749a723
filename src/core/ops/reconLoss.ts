// BESA's relative reconstruction loss for one mini-batch (docs/besa.md §1.6, main.train_epoch):
//   L_rec = (1/C) Σ_c Σ_t (y[t,c] − yRef[t,c])² / n_c²,   n_c = ||yRef[:,c]||₂ (detached, per batch).
// Guard: the reference code divides by n_c unguarded (0/0 → NaN). A channel whose reference is
// identically zero has no relative error, so it is left out of the loss (zero gradient) instead.
import { alloc, checkLen, type Vec } from './vec';

export function reconLoss<A extends Vec>(y: A /*[T,C]*/, yRef: Vec /*[T,C]*/, T: number, C: number): { loss: number; dy: A /*[T,C]*/ } {
  checkLen('reconLoss', 'y', y, T * C);
  checkLen('reconLoss', 'yRef', yRef, T * C);
  const inv = new Float64Array(C); // 1 / n_c², or 0 for an all-zero reference channel
  for (let c = 0; c < C; c++) {
    let ss = 0;
    for (let t = 0; t < T; t++) ss += yRef[t * C + c] * yRef[t * C + c];
    inv[c] = ss > 0 ? 1 / ss : 0;
  }
  const dy = alloc(y, T * C);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      const e = y[t * C + c] - yRef[t * C + c];
      loss += e * e * inv[c];
      dy[t * C + c] = (2 * e * inv[c]) / C;
    }
  }
  return { loss: loss / C, dy };
}
