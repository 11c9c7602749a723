// Elementwise product for BESA's masked weights (spec §1.5):
//   apply:     out[i]  = a[i] * b[i]     W_eff = W ⊙ M            (forward scratch)
//   apply_acc: out[i] += a[i] * b[i]     dL/dM += (dYᵀX) ⊙ W      (mask gradient, accumulated over sequences)
// Both tensors are [Out, In] row-major; the op is shape-free, so n = Out·In.

struct Params { n: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out[i] = a[i] * b[i];
}

@compute @workgroup_size(256)
fn apply_acc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  out[i] = out[i] + a[i] * b[i];
}
