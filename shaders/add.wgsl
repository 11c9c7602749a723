// Residual add (LLaMA block, src/core/ops/block.ts: x1 = x + o(att), y = x1 + down(h)).
//   add:         y[i] = a[i] + b[i]
//   add_inplace: y[i] += a[i]          (accumulate, e.g. dn1 += dk, dx += dx1)
// Flat index over x and y workgroups (src/gpu/kernels/grid.ts grid1d).

//#include _params_n

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
// add_inplace binds (a, acc) at 1, 2.
@group(0) @binding(2) var<storage, read_write> acc: array<f32>;

override WG: u32 = 256; // threads per workgroup (descriptor default; grid1d in src/gpu/kernels/grid.ts assumes it)

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  y[i] = a[i] + b[i];
}

@compute @workgroup_size(WG)
fn add_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  acc[i] = acc[i] + a[i];
}
