// Causal multi-head attention with grouped-query attention (GQA), as in HF LlamaAttention:
// head h reads kv head floor(h / (H/KVH)); scores scaled by 1/sqrt(D); row softmax over s <= t.
import { ShapeError } from '../errors';
import { alloc, checkLen, type Vec } from './vec';

export class AttentionShapeError extends ShapeError {
  override name = 'AttentionShapeError';
  constructor(H: number, KVH: number) {
    super(`attention: nHeads=${H} must be a positive multiple of nKvHeads=${KVH} (GQA)`);
  }
}

function checkShapes(op: string, q: Vec, k: Vec, v: Vec, T: number, H: number, KVH: number, D: number): void {
  if (KVH <= 0 || H % KVH !== 0) throw new AttentionShapeError(H, KVH);
  checkLen(op, 'q', q, T * H * D);
  checkLen(op, 'k', k, T * KVH * D);
  checkLen(op, 'v', v, T * KVH * D);
}

/** out[T,H*D]; probs[H,T,T] holds softmax rows (zeros above the diagonal), saved for the backward. */
export function attentionForward<A extends Vec>(
  q: A /*[T,H*D]*/,
  k: Vec /*[T,KVH*D]*/,
  v: Vec /*[T,KVH*D]*/,
  T: number,
  H: number,
  KVH: number,
  D: number,
): { out: A /*[T,H*D]*/; probs: A /*[H,T,T]*/ } {
  checkShapes('attentionForward', q, k, v, T, H, KVH, D);
  const group = H / KVH;
  const scale = 1 / Math.sqrt(D);
  const out = alloc(q, T * H * D);
  const probs = alloc(q, H * T * T);
  const row = new Float64Array(T);
  const acc = new Float64Array(D);
  const qs = H * D;
  const ks = KVH * D;
  for (let h = 0; h < H; h++) {
    const kvh = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      let mx = -Infinity;
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[t * qs + h * D + d] * k[s * ks + kvh * D + d];
        row[s] = dot * scale;
        if (row[s] > mx) mx = row[s];
      }
      let sum = 0;
      for (let s = 0; s <= t; s++) {
        row[s] = Math.exp(row[s] - mx); // stable softmax: subtract the row max
        sum += row[s];
      }
      acc.fill(0);
      const po = (h * T + t) * T;
      for (let s = 0; s <= t; s++) {
        const p = row[s] / sum;
        probs[po + s] = p;
        for (let d = 0; d < D; d++) acc[d] += p * v[s * ks + kvh * D + d];
      }
      for (let d = 0; d < D; d++) out[t * qs + h * D + d] = acc[d];
    }
  }
  return { out, probs };
}

/**
 * dP[t,s] = dout_t·v_s;  dS = P ⊙ (dP − Σ_s P dP);  dq_t = scale Σ_s dS k_s;
 * dk_s = scale Σ_{h in group, t} dS q_t;  dv_s = Σ_{h in group, t} P dout_t.
 */
export function attentionBackward<A extends Vec>(
  q: A /*[T,H*D]*/,
  k: Vec /*[T,KVH*D]*/,
  v: Vec /*[T,KVH*D]*/,
  probs: Vec /*[H,T,T]*/,
  dout: Vec /*[T,H*D]*/,
  T: number,
  H: number,
  KVH: number,
  D: number,
): { dq: A /*[T,H*D]*/; dk: A /*[T,KVH*D]*/; dv: A /*[T,KVH*D]*/ } {
  checkShapes('attentionBackward', q, k, v, T, H, KVH, D);
  checkLen('attentionBackward', 'probs', probs, H * T * T);
  checkLen('attentionBackward', 'dout', dout, T * H * D);
  const group = H / KVH;
  const scale = 1 / Math.sqrt(D);
  const qs = H * D;
  const ks = KVH * D;
  const dq = alloc(q, T * qs);
  // dk/dv sum over the heads of a group and over t: accumulate in f64, write once.
  const dk64 = new Float64Array(T * ks);
  const dv64 = new Float64Array(T * ks);
  const dS = new Float64Array(T);
  const acc = new Float64Array(D);
  for (let h = 0; h < H; h++) {
    const kvh = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const po = (h * T + t) * T;
      let dot = 0;
      for (let s = 0; s <= t; s++) {
        let dp = 0;
        for (let d = 0; d < D; d++) dp += dout[t * qs + h * D + d] * v[s * ks + kvh * D + d];
        dS[s] = dp;
        dot += probs[po + s] * dp;
      }
      acc.fill(0);
      for (let s = 0; s <= t; s++) {
        const p = probs[po + s];
        const ds = p * (dS[s] - dot) * scale;
        for (let d = 0; d < D; d++) {
          acc[d] += ds * k[s * ks + kvh * D + d];
          dk64[s * ks + kvh * D + d] += ds * q[t * qs + h * D + d];
          dv64[s * ks + kvh * D + d] += p * dout[t * qs + h * D + d];
        }
      }
      for (let d = 0; d < D; d++) dq[t * qs + h * D + d] = acc[d];
    }
  }
  const dk = alloc(q, T * ks);
  const dv = alloc(q, T * ks);
  dk.set(dk64);
  dv.set(dv64);
  return { dq, dk: dk as A, dv: dv as A };
}
