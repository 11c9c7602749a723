// AdamW as torch.optim.AdamW (docs/besa.md §1.7 --normal-opt): decoupled decay p ← p(1 − lr·wd), bias-corrected
// moments, denom = sqrt(v)/sqrt(1−β2^t) + eps. State has the param's element type (f32 like torch).
import { ShapeError } from '../errors';
import { alloc, type Vec } from '../ops/vec';
import { checkSnapshot, copyInto, OptimizerSnapshotError, type OptimizerSnapshot } from './snapshot';

export interface AdamWOptions {
  lr?: number; // 1e-3 (BESA --normal-opt uses 1e-2, wd 0)
  betas?: [number, number]; // (0.9, 0.999)
  eps?: number; // 1e-8
  weightDecay?: number; // 1e-2 (torch default)
}

export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  t = 0;
  readonly m: Vec[];
  readonly v: Vec[];

  constructor(
    readonly params: Vec[],
    o: AdamWOptions = {},
  ) {
    this.lr = o.lr ?? 1e-3;
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 1e-2;
    this.m = params.map((p) => alloc(p, p.length));
    this.v = params.map((p) => alloc(p, p.length));
  }

  step(grads: ReadonlyArray<Vec | null>): void {
    if (grads.length !== this.params.length)
      throw new ShapeError(`AdamW.step: got ${grads.length} gradients for ${this.params.length} tensors; pass one (or null) per parameter`);
    this.t += 1;
    const { lr, beta1, beta2, eps, weightDecay } = this;
    const bc1 = 1 - beta1 ** this.t;
    const bc2s = Math.sqrt(1 - beta2 ** this.t);
    for (let i = 0; i < this.params.length; i++) {
      const g = grads[i];
      if (!g) continue;
      const p = this.params[i];
      const m = this.m[i];
      const v = this.v[i];
      for (let j = 0; j < p.length; j++) {
        p[j] *= 1 - lr * weightDecay;
        m[j] = beta1 * m[j] + (1 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
        p[j] -= ((lr / bc1) * m[j]) / (Math.sqrt(v[j]) / bc2s + eps);
      }
    }
  }

  /** The step count and both moments (src/core/optim/snapshot.ts). */
  snapshot(): OptimizerSnapshot {
    return { kind: 'adamw', scalars: { t: this.t }, tensors: this.m.map((m, i) => [m.slice(), this.v[i].slice()]) };
  }

  restore(snap: OptimizerSnapshot): void {
    checkSnapshot(snap, 'adamw', this.m.length);
    const t = snap.scalars.t;
    if (!Number.isInteger(t) || t < 0) throw new OptimizerSnapshotError(`AdamW state: t is ${String(t)}`);
    this.t = t;
    this.m.forEach((m, i) => {
      copyInto(m, snap.tensors[i][0], `AdamW state ${i}.m`);
      copyInto(this.v[i], snap.tensors[i][1], `AdamW state ${i}.v`);
    });
  }
}
