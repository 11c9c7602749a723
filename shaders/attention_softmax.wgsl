// Causal, scaled, numerically stable row softmax over attention scores, and its backward.
// Scores/probs are [H, T, Tk] row-major with Tk = T + offset: query row t sits at position offset + t
// (offset = positions already in a KV cache, 0 for a full forward) and attends to columns s <= offset + t.
// The backward is only used with offset = 0 (training runs full sequences).
//   forward  (entry `forward`):  S[h,t,s] ← softmax_s(scale · S[h,t,s]) for s <= t, 0 for s > t   (in place)
//   backward (entry `backward`): G[h,t,s] ← P ⊙ (G − Σ_s' G·P)        (G = dP in, dS out, in place)
// The 1/sqrt(D) of the backward is folded into the dQ/dK matmul alphas by src/gpu/kernels/attention.ts.
// CPU reference: src/core/ops/attention.ts. One 64-thread workgroup per row: grid (T, H).
// `forward` binds only 0 and 1 (layout 'auto' per entry point); `backward` binds 0, 1, 2.

struct Params {
  T: u32,
  H: u32,
  scale: f32,
  offset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> S: array<f32>; // forward: scores → probs; backward: P (read)
@group(0) @binding(2) var<storage, read_write> G: array<f32>; // backward only: dP → dS

//#include _reduce64

@compute @workgroup_size(WG, 1, 1)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let t = wg.x;
  let h = wg.y;
  let lid = lid3.x;
  let Tk = p.T + p.offset;
  let base = (h * p.T + t) * Tk;
  let n = p.offset + t + 1u; // causal: columns 0..offset+t
  var m = NEG_BIG;
  for (var s = lid; s < n; s += WG) { m = max(m, p.scale * S[base + s]); }
  m = reduceMax(lid, m);
  var sum = 0.0;
  for (var s = lid; s < n; s += WG) { sum += exp(p.scale * S[base + s] - m); }
  sum = reduceSum(lid, sum);
  let inv = 1.0 / sum; // sum >= 1: the row max contributes exp(0)
  for (var s = lid; s < Tk; s += WG) {
    var v = 0.0;
    if (s < n) { v = exp(p.scale * S[base + s] - m) * inv; }
    S[base + s] = v;
  }
}

@compute @workgroup_size(WG, 1, 1)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let t = wg.x;
  let h = wg.y;
  let lid = lid3.x;
  let base = (h * p.T + t) * p.T;
  let n = t + 1u;
  var dot = 0.0;
  for (var s = lid; s < n; s += WG) { dot += S[base + s] * G[base + s]; }
  dot = reduceSum(lid, dot);
  for (var s = lid; s < p.T; s += WG) {
    var v = 0.0;
    if (s < n) { v = S[base + s] * (G[base + s] - dot); }
    G[base + s] = v;
  }
}
