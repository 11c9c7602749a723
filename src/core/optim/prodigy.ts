// Prodigy (D-adaptation Adam), exactly as optimizers/prodigy.py in LLMPrune-BESA (docs/besa.md §1.7), for a
// single parameter group holding several tensors (BESA: the 7 θ of one block share d).
// Per tensor: m (exp_avg), v (exp_avg_sq), s, p0 (θ at the first step), stored in f32 like torch;
// shared scalars d, d_max, d_numerator in f64 (Python floats in the reference). Params may be
// Float32Array (the engine) or Float64Array (f64 golden checks); state has the param's element type.
import { alloc, type Vec } from '../ops/vec';
import { checkSnapshot, copyInto, OptimizerSnapshotError, type OptimizerSnapshot } from './snapshot';

export interface ProdigyOptions {
  lr?: number; // 1
  betas?: [number, number]; // (0.9, 0.999)
  beta3?: number; // default sqrt(beta2)
  eps?: number; // 1e-8
  weightDecay?: number; // 0
  decouple?: boolean; // true (AdamW-style decay)
  useBiasCorrection?: boolean; // false
  safeguardWarmup?: boolean; // false
  d0?: number; // 1e-6
  dCoef?: number; // 1 (BESA scripts: 5 for 7B/13B row-wise)
  growthRate?: number; // Infinity
}

export class ProdigyOptionError extends Error {
  constructor(what: string) {
    super(`Prodigy: ${what}`);
    this.name = 'ProdigyOptionError';
  }
}

interface TensorState {
  m: Vec;
  v: Vec;
  s: Vec;
  p0: Vec | null; // set on the tensor's first step with a gradient
}

/** The per-element coefficients of Prodigy's first pass (ProdigyStore.accumulate). */
export interface AccumulateCoefs {
  beta1: number;
  mCoef: number;
  beta2: number;
  vCoef: number;
  beta3: number;
  sCoef: number;
}

/**
 * Where Prodigy's per-tensor state (m, v, s, p0) lives and its two elementwise passes run. The default
 * keeps host arrays and runs the JS loops; the WASM engine keeps the state in module memory and runs the
 * same arithmetic there (src/wasm/prodigyStore.ts), bit-identical to these loops.
 */
export interface ProdigyStore {
  /** p0 ← p when unset; gdot = Σ g·(p0 − p); the EMA updates of m, v, s; Σ|s| after them. */
  accumulate(i: number, p: Vec, g: Vec, c: AccumulateCoefs): { gdot: number; sAbs: number };
  /** Decoupled decay (decayCoef = −wd·dlr, when decay) then p −= dlr·m / (√v + epsD). */
  apply(i: number, p: Vec, dlr: number, epsD: number, decay: boolean, decayCoef: number): void;
  /** Copies of tensor i's state in snapshot order: m, v, s, and p0 once set. */
  read(i: number): Vec[];
  /** Restore tensor i's state from copies in snapshot order (p0 absent: not set yet). */
  write(i: number, m: ArrayLike<number>, v: ArrayLike<number>, s: ArrayLike<number>, p0: ArrayLike<number> | undefined): void;
}

/** Host arrays with the parameters' element type, and the JS loops (the reference for every store). */
export class ArrayProdigyStore implements ProdigyStore {
  readonly state: TensorState[];
  constructor(params: Vec[]) {
    this.state = params.map((p) => ({ m: alloc(p, p.length), v: alloc(p, p.length), s: alloc(p, p.length), p0: null }));
  }

  accumulate(i: number, p: Vec, g: Vec, c: AccumulateCoefs): { gdot: number; sAbs: number } {
    const st = this.state[i];
    const p0 = (st.p0 ??= p.slice());
    const { m, v, s } = st;
    const { beta1, mCoef, beta2, vCoef, beta3, sCoef } = c;
    let gdot = 0;
    for (let j = 0; j < p.length; j++) gdot += g[j] * (p0[j] - p[j]);
    let sAbs = 0;
    for (let j = 0; j < p.length; j++) {
      const gj = g[j];
      m[j] = m[j] * beta1 + mCoef * gj;
      v[j] = v[j] * beta2 + vCoef * gj * gj;
      s[j] = s[j] * beta3 + sCoef * gj;
      sAbs += Math.abs(s[j]);
    }
    return { gdot, sAbs };
  }

  apply(i: number, p: Vec, dlr: number, epsD: number, decay: boolean, decayCoef: number): void {
    const { m, v } = this.state[i];
    for (let j = 0; j < p.length; j++) {
      if (decay) p[j] += decayCoef * p[j];
      p[j] -= (dlr * m[j]) / (Math.sqrt(v[j]) + epsD);
    }
  }

  read(i: number): Vec[] {
    const st = this.state[i];
    return [st.m.slice(), st.v.slice(), st.s.slice(), ...(st.p0 ? [st.p0.slice()] : [])];
  }

  write(i: number, m: ArrayLike<number>, v: ArrayLike<number>, s: ArrayLike<number>, p0: ArrayLike<number> | undefined): void {
    const st = this.state[i];
    copyInto(st.m, m, `Prodigy state ${i}.m`);
    copyInto(st.v, v, `Prodigy state ${i}.v`);
    copyInto(st.s, s, `Prodigy state ${i}.s`);
    st.p0 = p0 ? alloc(st.m, st.m.length) : null;
    if (p0 && st.p0) copyInto(st.p0, p0, `Prodigy state ${i}.p0`);
  }
}

export class Prodigy {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly beta3: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decouple: boolean;
  readonly useBiasCorrection: boolean;
  readonly safeguardWarmup: boolean;
  readonly d0: number;
  readonly dCoef: number;
  readonly growthRate: number;
  d: number;
  dMax: number;
  dNumerator = 0;
  dHat = 0;
  dDenom = 0;
  k = 0; // completed steps (group['k'])
  readonly store: ProdigyStore;

  constructor(
    readonly params: Vec[],
    o: ProdigyOptions = {},
    store?: ProdigyStore,
  ) {
    this.lr = o.lr ?? 1;
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.beta3 = o.beta3 ?? Math.sqrt(this.beta2);
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.decouple = o.decouple ?? true;
    this.useBiasCorrection = o.useBiasCorrection ?? false;
    this.safeguardWarmup = o.safeguardWarmup ?? false;
    this.d0 = o.d0 ?? 1e-6;
    this.dCoef = o.dCoef ?? 1;
    this.growthRate = o.growthRate ?? Infinity;
    if (!(this.d0 > 0)) throw new ProdigyOptionError(`d0=${this.d0} must be > 0`);
    if (!(this.lr > 0)) throw new ProdigyOptionError(`lr=${this.lr} must be > 0`);
    if (!(this.eps > 0)) throw new ProdigyOptionError(`eps=${this.eps} must be > 0`);
    if (!(this.beta1 >= 0 && this.beta1 < 1 && this.beta2 >= 0 && this.beta2 < 1)) throw new ProdigyOptionError(`betas must be in [0, 1)`);
    this.d = this.d0;
    this.dMax = this.d0;
    this.store = store ?? new ArrayProdigyStore(params);
  }

  /** One step; grads[i] is the gradient of params[i] (null = no gradient, tensor skipped). */
  step(grads: ReadonlyArray<Vec | null>): void {
    if (grads.length !== this.params.length)
      throw new ProdigyOptionError(`step got ${grads.length} gradients for ${this.params.length} tensors`);
    const { beta1, beta2, beta3, lr, d0 } = this;
    let d = this.d;
    const bc = this.useBiasCorrection ? Math.sqrt(1 - beta2 ** (this.k + 1)) / (1 - beta1 ** (this.k + 1)) : 1;
    const dlr = d * lr * bc; // from the start of the step
    let num = this.dNumerator * beta3;
    let den = 0;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      let g = grads[i];
      if (!g) continue;
      if (g.length !== p.length) throw new ProdigyOptionError(`gradient ${i} has length ${g.length}, param has ${p.length}`);
      if (this.weightDecay !== 0 && !this.decouple) {
        const gg = alloc(p, p.length); // coupled decay modifies the grad (copy: the caller's stays intact)
        for (let j = 0; j < p.length; j++) gg[j] = g[j] + this.weightDecay * p[j];
        g = gg;
      }
      const sCoef = this.safeguardWarmup ? (d / d0) * d : (d / d0) * dlr;
      // Hoisted left operands of the reference's left-to-right products (d·(1−β1)·g, d·d·(1−β2)·g·g):
      // the same roundings in the same order, so bit-identical, without re-deriving them per element.
      const coefs = { beta1, mCoef: d * (1 - beta1), beta2, vCoef: d * d * (1 - beta2), beta3, sCoef };
      const { gdot, sAbs } = this.store.accumulate(i, p, g, coefs);
      num += (d / d0) * dlr * gdot;
      den += sAbs;
    }
    // Reference quirk: with no progress it returns after the EMA updates, keeping the old numerator.
    if (den === 0) return;
    const dHat = (this.dCoef * num) / den;
    if (d === d0) d = Math.max(d, dHat);
    this.dMax = Math.max(this.dMax, dHat);
    d = Math.min(this.dMax, d * this.growthRate);
    this.dNumerator = num;
    this.dDenom = den;
    this.dHat = dHat;
    this.d = d;
    const epsD = d * this.eps; // uses the new d
    const decay = this.weightDecay !== 0 && this.decouple;
    for (let i = 0; i < this.params.length; i++)
      if (grads[i]) this.store.apply(i, this.params[i], dlr, epsD, decay, -this.weightDecay * dlr);
    this.k += 1;
  }

  /** Everything step() reads or writes besides the parameters (src/core/optim/snapshot.ts). */
  snapshot(): OptimizerSnapshot {
    const { d, dMax, dNumerator, dHat, dDenom, k } = this;
    return {
      kind: 'prodigy',
      scalars: { d, dMax, dNumerator, dHat, dDenom, k },
      tensors: this.params.map((_, i) => this.store.read(i)),
    };
  }

  restore(snap: OptimizerSnapshot): void {
    checkSnapshot(snap, 'prodigy', this.params.length);
    for (const key of ['d', 'dMax', 'dNumerator', 'dHat', 'dDenom', 'k'] as const) {
      const v = snap.scalars[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptimizerSnapshotError(`Prodigy state: ${key} is ${String(v)}`);
      this[key] = v;
    }
    snap.tensors.forEach(([m, v, s, p0], i) => this.store.write(i, m, v, s, p0));
  }
}
