// LayerNorm (GPT-2), one thread per token row.
// CPU reference: src/core/ops/layernorm.ts. w and b are frozen during BESA (docs/besa.md §1.1): no dw, db.
//   forward:  mean[t] = Σ_c x/C;  rstd[t] = 1/sqrt(Σ_c (x − mean)²/C + eps);  y = (x − mean)·rstd·w + b
//   backward: with x̂ = (x − mean)·rstd and g = w⊙dy[t]:  dx = rstd·(g − Σ_c g/C − x̂·Σ_c (g⊙x̂)/C)
// x, y, dy, dx are [T, C] row-major; mean and rstd are [T]. Row t = gid.x + gid.y·(nwg.x·WG) (grid split
// for huge T).

struct Params { T: u32, C: u32, eps: f32, _p0: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
// forward inputs/outputs
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd_out: array<f32>;
// backward inputs/outputs (aliases of 3..6 used only by the backward entry point)
@group(0) @binding(3) var<storage, read> mean_in: array<f32>;
@group(0) @binding(4) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(5) var<storage, read> dy: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

override WG: u32 = 64; // rows per workgroup

// One thread per row, no workgroup memory, for the reason shaders/rmsnorm.wgsl gives: barriers are what
// software adapters pay for most, and rows (T) are many while C is at most a few thousand.
// Two passes ("corrected two-pass", Chan, Golub & LeVeque 1983) rather than Σx² − mean²: GPT-2's residual
// stream has rows with |mean| ≫ std (and a few huge channels), where the one-pass form cancels in f32. The
// serial f32 sum of the first pass is off by ~√C ulps of |Σx|; the second pass sums the small deviations
// d = x − mean₀ and moves the mean by Σd/C, which removes most of that error (tests/gpu/layernorm.test.ts at
// |mean| = 6, C = 257: mean off by 3.3e-6 → 4.8e-7, one ulp; y by 2.9e-6 → 1.4e-6), and Σd² − (Σd)²/C is the
// variance about the corrected mean.
@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.T) { return; }
  let o = t * p.C;
  let n = f32(p.C);
  var s = 0.0;
  for (var c = 0u; c < p.C; c++) { s += x[o + c]; }
  let mu0 = s / n;
  var sd = 0.0;
  var ss = 0.0;
  for (var c = 0u; c < p.C; c++) { let d = x[o + c] - mu0; sd += d; ss = fma(d, d, ss); }
  let mu = mu0 + sd / n;
  let r = 1.0 / sqrt(max(ss - sd * sd / n, 0.0) / n + p.eps);
  mean_out[t] = mu;
  rstd_out[t] = r;
  for (var c = 0u; c < p.C; c++) { y[o + c] = fma((x[o + c] - mu) * r, w[c], b[c]); }
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WG;
  if (t >= p.T) { return; }
  let o = t * p.C;
  let mu = mean_in[t];
  let r = rstd_in[t];
  var sg = 0.0;
  var sgx = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let g = w[c] * dy[o + c];
    sg += g;
    sgx = fma(g, (x[o + c] - mu) * r, sgx);
  }
  let mg = sg / f32(p.C);
  let mgx = sgx / f32(p.C);
  for (var c = 0u; c < p.C; c++) { dx[o + c] = r * (w[c] * dy[o + c] - mg - (x[o + c] - mu) * r * mgx); }
}
