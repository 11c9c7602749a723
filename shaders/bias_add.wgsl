// Bias add of a linear layer: y[t, o] += bias[o], y is [T, Out] row-major (src/core/ops/linear.ts).

struct Params { n: u32, out: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

override WG: u32 = 256; // threads per workgroup (descriptor default; grid1d in src/gpu/kernels/grid.ts assumes it)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  y[i] = y[i] + bias[i % p.out];
}
