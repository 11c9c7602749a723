// Elementwise product for BESA's masked weights (docs/besa.md §1.5):
//   apply:     out[i]  = a[i] * b[i]     W_eff = W ⊙ M            (forward scratch)
//   apply_acc: out[i] += a[i] * b[i]     dL/dM += (dYᵀX) ⊙ W      (mask gradient, accumulated over sequences)
// Both tensors are [Out, In] row-major; the op is shape-free, so n = Out·In.

//#include _params_n

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

override WG: u32 = 256; // threads per workgroup (descriptor default; grid1d in src/gpu/kernels/grid.ts assumes it)

@compute @workgroup_size(WG)
fn apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  out[i] = a[i] * b[i];
}

@compute @workgroup_size(WG)
fn apply_acc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  out[i] = out[i] + a[i] * b[i];
}
