// RMSNorm (LLaMA), one thread per token row.
// CPU reference: src/core/ops/rmsnorm.ts. The weight w is frozen during BESA (docs/besa.md §1.1).
//   forward:  rstd[t] = 1/sqrt(mean_c x[t,c]² + eps);  y[t,c] = x[t,c]·rstd[t]·w[c]
//   backward: dx[t,c] = rstd·w[c]·dy[t,c] − rstd³·x[t,c]·⟨w⊙dy[t], x[t]⟩/C
// x, y, dy, dx are [T, C] row-major; rstd is [T]. Row t = gid.x + gid.y·(nwg.x·WG) (grid split for huge T).

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

override WG: u32 = 64; // rows per workgroup

// One thread per row, no workgroup memory: a row's sums are serial in one thread. Rows are many (T per
// sequence) and C at most a few thousand, and workgroup barriers are what software adapters pay for most
// (a 256-thread tree reduction per row cost more than the matmuls around it on SwiftShader).
@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.T) { return; }
  let o = t * p.C;
  var ss = 0.0;
  for (var c = 0u; c < p.C; c++) { let v = x[o + c]; ss = fma(v, v, ss); }
  let r = 1.0 / sqrt(ss / f32(p.C) + p.eps);
  rstd_out[t] = r;
  for (var c = 0u; c < p.C; c++) { y[o + c] = x[o + c] * r * w[c]; }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.T) { return; }
  let o = t * p.C;
  var dot = 0.0;
  for (var c = 0u; c < p.C; c++) { dot = fma(w[c] * dy[o + c], x[o + c], dot); }
  let r = rstd_in[t];
  let k = r * r * r * dot / f32(p.C);
  for (var c = 0u; c < p.C; c++) { dx[o + c] = r * w[c] * dy[o + c] - k * x[o + c]; }
}
