// The block of either architecture (docs/gpt2.md §2): blockArch(spec) picks the LLaMA block
// (src/core/ops/block.ts) or the GPT-2 block (src/core/ops/gpt2Block.ts). Executors, the model forward
// and the methods call these, so one pipeline serves both.
import { blockArch, type BlockWeights, type LinearName, type ModelSpec } from '../../model/spec';
import { blockBackwardRef, blockForwardRef, REFERENCE_OPS, type BlockMasks, type BlockOps, type BlockSaved } from './block';
import { gpt2BlockBackwardRef, gpt2BlockForwardRef, type Gpt2BlockSaved } from './gpt2Block';
import type { Vec } from './vec';

export type AnyBlockSaved<A extends Vec = Float32Array> = BlockSaved<A> | Gpt2BlockSaved<A>;

export function isGpt2Saved<A extends Vec>(s: AnyBlockSaved<A>): s is Gpt2BlockSaved<A> {
  return 'arch' in s && s.arch === 'gpt2';
}

export function archBlockForward<A extends Vec>(
  spec: ModelSpec,
  w: BlockWeights,
  masks: BlockMasks,
  x: A /*[T,C]*/,
  T: number,
  ops: BlockOps = REFERENCE_OPS,
): { y: A /*[T,C]*/; saved: AnyBlockSaved<A> } {
  return blockArch(spec) === 'gpt2' ? gpt2BlockForwardRef(spec, w, masks, x, T, ops) : blockForwardRef(spec, w, masks, x, T, ops);
}

export function archBlockBackward<A extends Vec>(
  spec: ModelSpec,
  w: BlockWeights,
  masks: BlockMasks,
  saved: AnyBlockSaved<A>,
  dy: Vec /*[T,C]*/,
  ops: BlockOps = REFERENCE_OPS,
  wantDx = true, // false: dx left empty, dMask unchanged (blockBackwardRef)
): { dx: A /*[T,C]*/; dMask: Record<LinearName, A> } {
  return isGpt2Saved(saved)
    ? gpt2BlockBackwardRef(spec, w, masks, saved, dy, ops, wantDx)
    : blockBackwardRef(spec, w, masks, saved, dy, ops, wantDx);
}

/** The 4 distinct linear inputs of a saved forward (see LinearInputs in src/prune/executor.ts). */
export function savedLinearInputs<A extends Vec>(s: AnyBlockSaved<A>): { attnIn: A; oIn: A; mlpIn: A; downIn: A } {
  return { attnIn: s.n1, oIn: s.att, mlpIn: s.n2, downIn: s.h };
}
