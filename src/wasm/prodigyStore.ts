// Prodigy's per-tensor state in the WASM module (docs/wasm.md §2): m, v, s, p0 and a copy of θ live in named
// slots for the whole block, and the two elementwise passes run there (wasm/optim.ts), bit-identical to the
// JS loops of src/core/optim/prodigy.ts. Per step only θ and its gradient cross into the module and θ comes
// back, where the JS optimiser walked six arrays of the block's 101 logits per row three times.
import type { AccumulateCoefs, ProdigyStore } from '../core/optim/prodigy';
import { OptimizerSnapshotError } from '../core/optim/snapshot';
import type { Vec } from '../core/ops/vec';
import type { WasmKernels, WasmSlot } from './kernels';

interface TensorSlots {
  n: number;
  m: WasmSlot;
  v: WasmSlot;
  s: WasmSlot;
  p0: WasmSlot;
  p: WasmSlot; // θ as the module sees it between the two passes of a step
  p0Set: boolean;
}

export class WasmProdigyStore implements ProdigyStore {
  private readonly t: TensorSlots[];

  /** Zeroed state for `params` (f32 θ tensors) in the slots `prodigy.<i>.*`, which this store then owns. */
  constructor(
    private readonly k: WasmKernels,
    params: Vec[],
  ) {
    k.reset(); // slots are made between ops only
    this.t = params.map((p, i) => {
      if (!(p instanceof Float32Array)) throw new Error('WasmProdigyStore: θ tensors must be Float32Array');
      const slot = (what: string) => {
        const sl = k.slot(`prodigy.${i}.${what}`, p.length);
        sl.tag = this;
        return sl;
      };
      const st = { n: p.length, m: slot('m'), v: slot('v'), s: slot('s'), p0: slot('p0'), p: slot('p'), p0Set: false };
      for (const a of [st.m, st.v, st.s]) this.f32(a, st.n).fill(0);
      return st;
    });
  }

  private f32(a: WasmSlot, n: number): Float32Array {
    return this.k.view({ ptr: a.ptr, length: n });
  }

  /** Tensor i's slots, after checking that no other store took them over (one Prodigy per module at a time). */
  private slots(i: number): TensorSlots {
    const st = this.t[i];
    if (st.m.tag !== this || st.p.tag !== this)
      throw new Error('WasmProdigyStore: another BESA block took over this WASM module’s optimiser state (run one block per engine at a time)');
    return st;
  }

  accumulate(i: number, p: Vec, g: Vec, c: AccumulateCoefs): { gdot: number; sAbs: number } {
    const st = this.slots(i);
    const k = this.k;
    k.reset();
    if (!st.p0Set) this.f32(st.p0, st.n).set(p);
    st.p0Set = true;
    this.f32(st.p, st.n).set(p);
    const G = k.put(g);
    try {
      return k.prodigyAccumulate({ g: G.ptr, p: st.p.ptr, p0: st.p0.ptr, m: st.m.ptr, v: st.v.ptr, s: st.s.ptr }, st.n, c);
    } finally {
      k.reset();
    }
  }

  apply(i: number, p: Vec, dlr: number, epsD: number, decay: boolean, decayCoef: number): void {
    const st = this.slots(i);
    this.k.prodigyApply(st.p.ptr, st.m.ptr, st.v.ptr, st.n, dlr, epsD, decay, decayCoef);
    p.set(this.f32(st.p, st.n));
  }

  read(i: number): Vec[] {
    const st = this.slots(i);
    const copy = (a: WasmSlot) => this.f32(a, st.n).slice();
    return [copy(st.m), copy(st.v), copy(st.s), ...(st.p0Set ? [copy(st.p0)] : [])];
  }

  write(i: number, m: ArrayLike<number>, v: ArrayLike<number>, s: ArrayLike<number>, p0: ArrayLike<number> | undefined): void {
    const st = this.slots(i);
    const put = (a: WasmSlot, src: ArrayLike<number>, what: string) => {
      if (src.length !== st.n) throw new OptimizerSnapshotError(`Prodigy state ${i}.${what}: ${src.length} values saved, ${st.n} expected`);
      this.f32(a, st.n).set(src);
    };
    put(st.m, m, 'm');
    put(st.v, v, 'v');
    put(st.s, s, 's');
    if (p0) put(st.p0, p0, 'p0');
    st.p0Set = !!p0;
  }
}
