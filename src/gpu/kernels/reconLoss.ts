// Wrapper for shaders/recon_loss.wgsl + shaders/sum.wgsl: BESA's relative reconstruction loss
// (docs/besa.md §1.6) and its gradient for one sequence, with the scalar loss reduced on the GPU.
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { reconLossKernel } from './descriptors';
import { checkDims, checkFloats, checkOutputs } from './grid';
import { sum } from './sum';

export interface ReconLossArgs {
  y: GPUBuffer; // [T,C] pruned block output
  yRef: GPUBuffer; // [T,C] reference (dense) output, detached
  dy: GPUBuffer; // [T,C] out: dL_rec/dy
  loss: GPUBuffer; // [lossOffset+1] out: L_rec (written, or added to when accumulate)
  partial: GPUBuffer; // [C] scratch: per-channel Σ_t e²/n_c²
  T: number;
  C: number;
  lossOffset?: number;
  /** Add the loss to loss[lossOffset] (e.g. summing several sequences' losses). */
  accumulate?: boolean;
}

/** Records 2–3 dispatches: per-channel loss + dy, then the (1/C)-scaled sum into `loss`. */
export function reconLoss(rt: GpuRuntime, a: ReconLossArgs): void {
  const op = 'reconLoss';
  const { T, C } = a;
  checkDims(op, { T, C });
  checkFloats(op, 'y', a.y, T * C);
  checkFloats(op, 'yRef', a.yRef, T * C);
  checkFloats(op, 'dy', a.dy, T * C);
  checkFloats(op, 'partial', a.partial, C);
  checkOutputs(op, { y: a.y, yRef: a.yRef, loss: a.loss }, { dy: a.dy, partial: a.partial });
  const groups = Math.ceil(C / reconLossKernel.workgroupSize.WG); // one thread per channel
  if (groups > rt.caps.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: C=${C} is too wide for one dispatch.`);
  rt.run(reconLossKernel, 'main', {
    params: { T, C },
    buffers: { y: a.y, yRef: a.yRef, dy: a.dy, partial: a.partial },
    workgroups: [groups],
  });
  sum(rt, a.partial, C, a.loss, { scale: 1 / C, outOffset: a.lossOffset ?? 0, accumulate: a.accumulate ?? false });
}

/** Convenience: run reconLoss with temporary loss/partial buffers and read the loss back (one float). */
export async function reconLossValue(rt: GpuRuntime, y: GPUBuffer, yRef: GPUBuffer, dy: GPUBuffer, T: number, C: number): Promise<number> {
  const loss = rt.createBuffer(4, 'recon-loss');
  const partial = rt.createBuffer(C * 4, 'recon-partial');
  try {
    reconLoss(rt, { y, yRef, dy, loss, partial, T, C });
    const v = await rt.read(loss, 4);
    return v[0];
  } finally {
    rt.destroy(loss, partial);
  }
}
