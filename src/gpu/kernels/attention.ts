// Causal multi-head attention with GQA on the GPU: every product goes through the strided batched
// matmul (shaders/matmul_tiled.wgsl); shaders/attention_softmax.wgsl does the masked softmax and its
// backward. CPU reference: src/core/ops/attention.ts (q head h reads kv head floor(h / (H/KVH))).
//   forward:  S = Q Kᵀ (per head) → P = softmax(S/√D, causal) → out = P V
//   backward: dP = dOut Vᵀ → dS = P ⊙ (dP − rowsum(dP ⊙ P)) → dQ = dS K/√D,
//             dK = Σ_{h in group} dSᵀ Q/√D, dV = Σ_{h in group} Pᵀ dOut
// Layouts (row-major): q, out, dOut, dQ [T, H·D]; k, v, dK, dV [T, KVH·D]; probs, dS [H, T, T].
// Forward with a KV cache (dims.offset = P > 0, incremental decoding): the T query rows sit at
// positions P..P+T−1 and attend to Tk = P+T keys, k and v [Tk, KVH·D] (rows 0..P−1 cached, the rest
// just appended), probs [H, T, Tk]. Row t of such a call equals row P+t of the full forward.
//
// GQA: the matmul's batch divisor maps query head h (the batch index) to kv head floor(h/G), so
// every per-head product is one dispatch. The dK/dV sums over the G query heads of a kv head are
// G dispatches batched over kvh, accumulating with beta = 1.
import type { MatmulDesc } from '../../core/matmul';
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { attentionSoftmaxKernel } from './descriptors';
import { matmul } from './matmul';

export interface AttentionDims {
  T: number;
  H: number; // query heads
  KVH: number; // key/value heads; H % KVH === 0
  D: number; // head dim
  /** Forward only: positions before the T query rows (keys 0..offset+T−1 are read); default 0. */
  offset?: number;
  /**
   * Forward only, without a KV cache: the index of this sequence in a batch stored one after another, so q and
   * out are read/written at rows seq·T.., k and v at rows seq·T.. (batched dense passes, docs/speed.md §6).
   */
  seq?: number;
}

function checkDims({ T, H, KVH, D, offset = 0 }: AttentionDims, rt: GpuRuntime): void {
  for (const [n, v] of Object.entries({ T, H, KVH, D })) {
    if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`attention: ${n} must be a positive integer, got ${v}.`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw new ShapeError(`attention: offset must be a non-negative integer, got ${offset}.`);
  if (H % KVH !== 0) throw new ShapeError(`attention: nHeads=${H} must be a multiple of nKvHeads=${KVH} (GQA).`);
  const maxWg = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  if (T > maxWg) throw new ShapeError(`attention: T=${T} exceeds ${maxWg} (workgroups per dimension); use a shorter sequence.`);
}

function checkBuf(name: string, buf: GPUBuffer, floats: number): void {
  if (buf.size < floats * 4) {
    throw new ShapeError(`attention: ${name} ("${buf.label}") holds ${buf.size / 4} floats, needs ${floats}; check T, H, KVH, D.`);
  }
}

/** Head index ranges of one dispatch: q head = q0 + b·qs, kv head = kv0 + b·kvs for b < batch. */
interface HeadSet {
  batch: number;
  q0: number;
  qs: number;
  kv0: number;
  kvs: number;
}

/** Head sets for sums over the G query heads of each kv head: set g covers heads kvh·G + g. */
function groupSumSets(H: number, KVH: number): HeadSet[] {
  const G = H / KVH;
  return Array.from({ length: G }, (_, g) => ({ batch: KVH, q0: g, qs: G, kv0: 0, kvs: 1 }));
}

/** X[h] (T×Tk) = A[h] (T×D, row stride H·D) · B[h/G]ᵀ (Tk rows of stride KVH·D): scores and dP. */
function scoresDesc(T: number, H: number, KVH: number, D: number, Tk = T): MatmulDesc {
  return {
    M: T,
    N: Tk,
    K: D,
    batch: H,
    sAm: H * D,
    sAk: 1,
    bsA: D,
    sBk: 1,
    sBn: KVH * D,
    bsB: D,
    divB: H / KVH,
    ldc: Tk,
    bsC: T * Tk,
  };
}

/**
 * Forward. Returns out [T, H·D] and probs [H, T, Tk] (Tk = offset + T; saved for the backward when
 * offset = 0); pass `into` to reuse buffers. Recorded on rt's encoder (nothing is read back).
 */
export function attentionForwardGpu(
  rt: GpuRuntime,
  q: GPUBuffer /*[T,H*D]*/,
  k: GPUBuffer /*[T,KVH*D]*/,
  v: GPUBuffer /*[T,KVH*D]*/,
  dims: AttentionDims,
  into: { out?: GPUBuffer; probs?: GPUBuffer } = {},
): { out: GPUBuffer /*[T,H*D]*/; probs: GPUBuffer /*[H,T,T]*/ } {
  checkDims(dims, rt);
  const { T, H, KVH, D, offset = 0, seq = 0 } = dims;
  if (!Number.isInteger(seq) || seq < 0 || (seq > 0 && offset > 0))
    throw new ShapeError(`attention: seq=${seq} must be a non-negative integer, and 0 with a KV cache (offset ${offset}).`);
  const Tk = offset + T;
  const QD = H * D,
    KVD = KVH * D,
    TT = T * Tk;
  checkBuf('q', q, (seq + 1) * T * QD);
  checkBuf('k', k, (seq + 1) * Tk * KVD);
  checkBuf('v', v, (seq + 1) * Tk * KVD);
  const probs = into.probs ?? rt.createBuffer(H * TT * 4, 'attn.probs');
  const out = into.out ?? rt.createBuffer(T * QD * 4, 'attn.out');
  checkBuf('probs', probs, H * TT);
  checkBuf('out', out, (seq + 1) * T * QD);
  const G = H / KVH;
  // S[h] (T×Tk) = Q[h] (T×D) · K[h/G]ᵀ
  matmul(rt, q, k, probs, { ...scoresDesc(T, H, KVH, D, Tk), offA: seq * T * QD, offB: seq * Tk * KVD });
  rt.run(attentionSoftmaxKernel, 'forward', {
    params: { T, H, scale: 1 / Math.sqrt(D), offset },
    buffers: { S: probs },
    workgroups: [Math.ceil(T / attentionSoftmaxKernel.workgroupSize.WG), H],
  });
  // out[h] (T×D, row stride H·D) = P[h] (T×Tk) · V[h/G] (Tk×D)
  matmul(rt, probs, v, out, {
    M: T,
    N: D,
    K: Tk,
    batch: H,
    sAm: Tk,
    sAk: 1,
    bsA: TT,
    sBk: KVD,
    sBn: 1,
    bsB: D,
    offB: seq * Tk * KVD,
    divB: G,
    ldc: QD,
    bsC: D,
    offC: seq * T * QD,
  });
  return { out, probs };
}

/**
 * Backward from the saved probs. Returns dQ [T, H·D], dK and dV [T, KVH·D] (overwritten, not
 * accumulated). `scratch` ([H, T, T], for dP/dS) may be passed to avoid an allocation; an internal
 * one is freed after the work is submitted.
 */
export function attentionBackwardGpu(
  rt: GpuRuntime,
  q: GPUBuffer /*[T,H*D]*/,
  k: GPUBuffer /*[T,KVH*D]*/,
  v: GPUBuffer /*[T,KVH*D]*/,
  probs: GPUBuffer /*[H,T,T]*/,
  dout: GPUBuffer /*[T,H*D]*/,
  dims: AttentionDims,
  into: { dq?: GPUBuffer; dk?: GPUBuffer; dv?: GPUBuffer; scratch?: GPUBuffer } = {},
): { dq: GPUBuffer /*[T,H*D]*/; dk: GPUBuffer /*[T,KVH*D]*/; dv: GPUBuffer /*[T,KVH*D]*/ } {
  checkDims(dims, rt);
  const { T, H, KVH, D } = dims;
  if (dims.offset)
    throw new ShapeError(
      `attention backward: offset=${dims.offset} is forward-only (KV-cache decoding); train on full sequences with offset 0.`,
    );
  const QD = H * D,
    KVD = KVH * D,
    TT = T * T;
  const scale = 1 / Math.sqrt(D);
  checkBuf('q', q, T * QD);
  checkBuf('k', k, T * KVD);
  checkBuf('v', v, T * KVD);
  checkBuf('probs', probs, H * TT);
  checkBuf('dout', dout, T * QD);
  const dS = into.scratch ?? rt.createBuffer(H * TT * 4, 'attn.dS');
  const dq = into.dq ?? rt.createBuffer(T * QD * 4, 'attn.dq');
  const dk = into.dk ?? rt.createBuffer(T * KVD * 4, 'attn.dk');
  const dv = into.dv ?? rt.createBuffer(T * KVD * 4, 'attn.dv');
  checkBuf('scratch', dS, H * TT);
  checkBuf('dq', dq, T * QD);
  checkBuf('dk', dk, T * KVD);
  checkBuf('dv', dv, T * KVD);

  const G = H / KVH;
  // dP[h] (T×T) = dOut[h] (T×D) · V[h/G]ᵀ
  matmul(rt, dout, v, dS, scoresDesc(T, H, KVH, D));
  rt.run(attentionSoftmaxKernel, 'backward', {
    params: { T, H, scale, offset: 0 },
    buffers: { S: probs, G: dS },
    workgroups: [Math.ceil(T / attentionSoftmaxKernel.workgroupSize.WG), H],
  });
  // dQ[h] (T×D) = scale · dS[h] (T×T) · K[h/G] (T×D)
  matmul(rt, dS, k, dq, {
    M: T,
    N: D,
    K: T,
    batch: H,
    alpha: scale,
    sAm: T,
    sAk: 1,
    bsA: TT,
    sBk: KVD,
    sBn: 1,
    bsB: D,
    divB: G,
    ldc: QD,
    bsC: D,
  });
  groupSumSets(H, KVH).forEach((s, g) => {
    const beta = g === 0 ? 0 : 1; // sum over the query heads sharing a kv head
    // dK[kvh] (T×D) += scale · dS[h]ᵀ (T×T) · Q[h] (T×D);  dV[kvh] += P[h]ᵀ · dOut[h]
    const common = {
      M: T,
      N: D,
      K: T,
      batch: s.batch,
      beta,
      offA: s.q0 * TT,
      sAm: 1,
      sAk: T,
      bsA: s.qs * TT,
      offB: s.q0 * D,
      sBk: QD,
      sBn: 1,
      bsB: s.qs * D,
      offC: s.kv0 * D,
      ldc: KVD,
      bsC: s.kvs * D,
    };
    matmul(rt, dS, q, dk, { ...common, alpha: scale });
    matmul(rt, probs, dout, dv, { ...common, alpha: 1 });
  });
  if (!into.scratch) {
    rt.flush(); // a buffer may only be destroyed once the commands using it are submitted
    rt.destroy(dS);
  }
  return { dq, dk, dv };
}
