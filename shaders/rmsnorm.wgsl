// RMSNorm (LLaMA), one workgroup per token row, 256 threads striding over C with a tree reduction.
// CPU reference: src/core/ops/rmsnorm.ts. The weight w is frozen during BESA (docs/besa.md §1.1).
//   forward:  rstd[t] = 1/sqrt(mean_c x[t,c]² + eps);  y[t,c] = x[t,c]·rstd[t]·w[c]
//   backward: dx[t,c] = rstd·w[c]·dy[t,c] − rstd³·x[t,c]·⟨w⊙dy[t], x[t]⟩/C
// x, y, dy, dx are [T, C] row-major; rstd is [T]. Row t = wg.x + wg.y·nwg.x (grid split when T > 65535).

struct Params { T: u32, C: u32, eps: f32, _p0: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
// forward outputs
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd_out: array<f32>;
// backward inputs/outputs (aliases of 3..5 used only by the backward entry point)
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

override WG: u32 = 256; // a power of two (tree reduction)
var<workgroup> red: array<f32, WG>;

// Sum of `v` over the workgroup; every thread gets the result.
fn reduce_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // red may be reused by the caller
  return r;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let t = wg.x + wg.y * nwg.x;
  if (t >= p.T) { return; } // uniform per workgroup, so the barriers below stay uniform
  let o = t * p.C;
  var ss = 0.0;
  for (var c = lid; c < p.C; c += WG) { let v = x[o + c]; ss = fma(v, v, ss); }
  let total = reduce_sum(lid, ss);
  let r = 1.0 / sqrt(total / f32(p.C) + p.eps);
  if (lid == 0u) { rstd_out[t] = r; }
  for (var c = lid; c < p.C; c += WG) { y[o + c] = x[o + c] * r * w[c]; }
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let t = wg.x + wg.y * nwg.x;
  if (t >= p.T) { return; }
  let o = t * p.C;
  var dot = 0.0;
  for (var c = lid; c < p.C; c += WG) { dot = fma(w[c] * dy[o + c], x[o + c], dot); }
  let total = reduce_sum(lid, dot);
  let r = rstd_in[t];
  let k = r * r * r * total / f32(p.C);
  for (var c = lid; c < p.C; c += WG) { dx[o + c] = r * w[c] * dy[o + c] - k * x[o + c]; }
}
