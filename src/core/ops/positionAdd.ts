// GPT-2's learned position embedding: y[t, c] = x[t, c] + pos[t0 + t, c], x [T, C] the token embeddings, pos
// the [P, C] table (wpe), t0 the absolute position of row 0 (cached positions when decoding incrementally).
// The table is frozen during pruning (docs/besa.md §1.1), so there is no backward: dx = dy.
import { ShapeError } from '../errors';
import { alloc, checkLen, type Vec } from './vec';

export function positionAdd<A extends Vec>(x: A /*[T,C]*/, pos: Vec /*[P,C]*/, T: number, C: number, P: number, t0 = 0): A /*[T,C]*/ {
  checkLen('positionAdd', 'x', x, T * C);
  checkLen('positionAdd', 'pos', pos, P * C);
  if (!Number.isInteger(t0) || t0 < 0 || t0 + T > P)
    throw new ShapeError(`positionAdd: positions ${t0}..${t0 + T - 1} do not fit the table's P=${P} rows; use t0 ≥ 0 and t0 + T ≤ P.`);
  const y = alloc(x, T * C);
  const o = t0 * C;
  for (let i = 0; i < T * C; i++) y[i] = x[i] + pos[o + i];
  return y;
}
