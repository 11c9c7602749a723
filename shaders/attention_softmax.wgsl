// Causal, scaled, numerically stable row softmax over attention scores, and its backward.
// Scores/probs are [H, T, Tk] row-major with Tk = T + offset: query row t sits at position offset + t
// (offset = positions already in a KV cache, 0 for a full forward) and attends to columns s <= offset + t.
// The backward is only used with offset = 0 (training runs full sequences).
//   forward  (entry `forward`):  S[h,t,s] ← softmax_s(scale · S[h,t,s]) for s <= t, 0 for s > t   (in place)
//   backward (entry `backward`): G[h,t,s] ← P ⊙ (G − Σ_s' G·P)        (G = dP in, dS out, in place)
// The 1/sqrt(D) of the backward is folded into the dQ/dK matmul alphas by src/gpu/kernels/attention.ts.
// CPU reference: src/core/ops/attention.ts. One thread per row: grid (ceil(T / WG), H).
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

override WG: u32 = 64; // query rows per workgroup
const NEG_BIG: f32 = -3.0e38; // finite "minus infinity": keeps exp(x - m) free of inf - inf

// One thread per (query row t, head h), no workgroup memory: a row is at most a few thousand scores, and
// workgroup reductions' barriers are what software adapters pay for most (docs/speed.md).
@compute @workgroup_size(WG, 1, 1)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let h = gid.y;
  if (t >= p.T) { return; }
  let Tk = p.T + p.offset;
  let base = (h * p.T + t) * Tk;
  let n = p.offset + t + 1u; // causal: columns 0..offset+t
  var m = NEG_BIG;
  for (var s = 0u; s < n; s++) { m = max(m, p.scale * S[base + s]); }
  var sum = 0.0;
  for (var s = 0u; s < n; s++) { sum += exp(p.scale * S[base + s] - m); }
  let inv = 1.0 / sum; // sum >= 1: the row max contributes exp(0)
  for (var s = 0u; s < n; s++) { S[base + s] = exp(p.scale * S[base + s] - m) * inv; }
  for (var s = n; s < Tk; s++) { S[base + s] = 0.0; }
}

@compute @workgroup_size(WG, 1, 1)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let h = gid.y;
  if (t >= p.T) { return; }
  let base = (h * p.T + t) * p.T;
  let n = t + 1u;
  var dot = 0.0;
  for (var s = 0u; s < n; s++) { dot += S[base + s] * G[base + s]; }
  for (var s = 0u; s < n; s++) { G[base + s] = S[base + s] * (G[base + s] - dot); }
  for (var s = n; s < p.T; s++) { G[base + s] = 0.0; }
}
