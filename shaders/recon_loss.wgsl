// BESA's relative reconstruction loss for one sequence (docs/besa.md §1.6; CPU reference src/core/ops/reconLoss.ts):
//   n_c² = Σ_t yRef[t,c]²;  inv_c = 1/n_c², or 0 when n_c² == 0 (the reference's guard: an all-zero
//   reference channel has no relative error and gets no gradient)
//   partial[c] = Σ_t (y − yRef)²·inv_c;   dy[t,c] = 2·(y − yRef)·inv_c / C
// One thread per channel c: neighbouring threads read neighbouring columns of the [T, C] row-major
// tensors. loss = (1/C)·Σ_c partial[c] is reduced by shaders/sum.wgsl (src/gpu/kernels/reconLoss.ts).

struct Params { T: u32, C: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> yRef: array<f32>;
@group(0) @binding(3) var<storage, read_write> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;

override WG: u32 = 256; // channels per workgroup

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.C) { return; }
  var ss = 0.0;
  for (var t = 0u; t < p.T; t++) { let r = yRef[t * p.C + c]; ss = fma(r, r, ss); }
  let inv = select(0.0, 1.0 / ss, ss > 0.0);
  let g = 2.0 * inv / f32(p.C);
  var se = 0.0;
  for (var t = 0u; t < p.T; t++) {
    let i = t * p.C + c;
    let e = y[i] - yRef[i];
    se = fma(e, e, se);
    dy[i] = g * e;
  }
  partial[c] = se * inv;
}
