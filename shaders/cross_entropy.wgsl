// Per-token log-sum-exp and NLL over the vocabulary, one chunk of logits at a time, so the full
// [T, V] logits never have to exist (docs/besa.md §5 perplexity without reading logits back).
// Online log-sum-exp (as in FlashAttention / llm.c): per row t keep the running max m and
// s = Σ exp(l − m) over the chunks seen so far; a new chunk with max m_c rescales
// s ← s·exp(m − m') + Σ_chunk exp(l − m'), m' = max(m, m_c). The target's logit is picked up by
// whichever chunk holds it. On the last chunk: lse = m + log s, nll = lse − l_target.
//   logits  [T, ldl]: columns 0..n−1 are vocabulary entries v0..v0+n−1
//   targets [T] u32:  0xffffffff = no target (nll written as 0)
//   state   [T, 4]:   (m, s, target logit, lse)
//   nll     [T]
// CPU reference: windowMeanCe in src/eval/perplexity.ts. One 64-thread workgroup per row: grid (T).

struct Params {
  T: u32,
  n: u32,
  v0: u32,
  ldl: u32,
  first: u32,
  last: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<u32>;
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
@group(0) @binding(4) var<storage, read_write> nll: array<f32>;

//#include _reduce64
const NO_TARGET: u32 = 0xffffffffu;

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let t = wg.x;
  let lid = lid3.x;
  let base = t * p.ldl;
  var mc = NEG_BIG;
  for (var c = lid; c < p.n; c += WG) { mc = max(mc, logits[base + c]); }
  mc = reduceMax(lid, mc);
  var mOld = NEG_BIG;
  var sOld = 0.0;
  var tgt = 0.0;
  if (p.first == 0u) {
    mOld = state[t * 4u];
    sOld = state[t * 4u + 1u];
    tgt = state[t * 4u + 2u];
  }
  let m = max(mOld, mc);
  var sc = 0.0;
  for (var c = lid; c < p.n; c += WG) { sc += exp(logits[base + c] - m); }
  sc = reduceSum(lid, sc);
  if (lid == 0u) {
    let s = sOld * exp(mOld - m) + sc; // exp(NEG_BIG − m) = 0 on the first chunk
    let id = targets[t];
    if (id != NO_TARGET && id >= p.v0 && id < p.v0 + p.n) { tgt = logits[base + id - p.v0]; }
    state[t * 4u] = m;
    state[t * 4u + 1u] = s;
    state[t * 4u + 2u] = tgt;
    if (p.last != 0u) {
      let lse = m + log(s);
      state[t * 4u + 3u] = lse;
      var v = 0.0;
      if (id != NO_TARGET) { v = lse - tgt; }
      nll[t] = v;
    }
  }
}
