// Per-block input statistics collected in the SAME dense pass that produces Y_ref (docs/besa.md §1.2, §1.8:
// all the linears hooked at once, so o and down (gpt2: proj) see inputs from the dense q/k/v and gate/up (fc)):
//   Wanda scaler_row [in] (BESA importance and Wanda), SparseGPT Hessian H [in, in].
// q/k/v share one input and gate/up share one, so 4 accumulators serve the 7 linears.
import { linearOf, type BlockWeights, type LinearName, type ModelSpec } from '../model/spec';
import type { LinearInputs } from './executor';
import { HessianStats, WandaStats } from './methods/stats';

type InputKey = keyof LinearInputs;
const KEYS: InputKey[] = ['attnIn', 'oIn', 'mlpIn', 'downIn'];

export function inputKeyOf(n: LinearName): InputKey {
  if (n === 'q' || n === 'k' || n === 'v') return 'attnIn';
  if (n === 'o') return 'oIn';
  if (n === 'down' || n === 'proj') return 'downIn';
  return 'mlpIn';
}

export interface StatsNeeds {
  wanda: boolean;
  hessian: boolean;
}

export class BlockInputStats {
  private readonly wanda = new Map<InputKey, WandaStats>();
  private readonly hess = new Map<InputKey, HessianStats>();

  constructor(
    spec: ModelSpec,
    block: BlockWeights,
    readonly needs: StatsNeeds,
  ) {
    const width: Record<InputKey, number> = {
      attnIn: block.q.in,
      oIn: block.o.in,
      mlpIn: (block.gate ?? linearOf(block, 'fc')).in,
      downIn: (block.down ?? linearOf(block, 'proj')).in,
    };
    if (width.attnIn !== spec.dim) throw new Error(`BlockInputStats: q.in=${width.attnIn} differs from dim ${spec.dim}`);
    for (const k of KEYS) {
      if (needs.wanda) this.wanda.set(k, new WandaStats(width[k]));
      if (needs.hessian) this.hess.set(k, new HessianStats(width[k]));
    }
  }

  /** One calibration sequence's linear inputs (batch 1, as the reference hooks see them). */
  add(inputs: LinearInputs): void {
    for (const k of KEYS) {
      this.wanda.get(k)?.addBatch(inputs[k], 1);
      this.hess.get(k)?.addBatch(inputs[k], 1);
    }
  }

  /** scaler_row [in] of linear n = (1/N_seq) Σ_tokens x_j² (docs/besa.md §1.2). */
  scalerRow(n: LinearName): Float64Array {
    const s = this.wanda.get(inputKeyOf(n));
    if (!s) throw new Error(`BlockInputStats: Wanda statistics were not collected (needs.wanda=false) but ${n} asked for them`);
    return s.scalerRow;
  }

  /** H [in, in] of linear n = (2/N_seq) Σ XᵀX (docs/besa.md §4). A fresh copy. */
  hessian(n: LinearName): Float64Array {
    const s = this.hess.get(inputKeyOf(n));
    if (!s) throw new Error(`BlockInputStats: Hessians were not collected (needs.hessian=false) but ${n} asked for one`);
    return s.hessian();
  }
}
