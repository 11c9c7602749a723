// Rotary position embedding on x [T, H·D] (head h = columns h·D .. h·D+D−1), one thread per rotated
// pair. CPU reference: src/core/ops/rope.ts. Angles come from a table cs [T, D/2, 2] = (cos, sin) of
// (t + posOffset)·theta^(−2i/D), computed on the CPU in f64 (src/gpu/kernels/rope.ts), so the only
// f32 error is the final rounding of cos/sin (angles themselves are exact to f64).
// Row t of x uses table row t + t0: incremental decoding keeps one table for maxSeqLen positions and
// rotates the new rows at their absolute positions (t0 = number of cached positions).
//   interleaved 0 = 'half' (HF rotate_half): pair (i, i + D/2);  1 = 'interleaved' (llama2.c): (2i, 2i+1)
//   forward:  ya = a·cos − b·sin,  yb = b·cos + a·sin
//   backward: the transpose (rotation by −angle): dxa = da·cos + db·sin, dxb = db·cos − da·sin

struct Params { T: u32, H: u32, D: u32, interleaved: u32, t0: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> cs: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

fn rotate(i: u32, sgn: f32) {
  let half = p.D / 2u;
  if (i >= p.T * p.H * half) { return; }
  let j = i % half;          // frequency index
  let th = i / half;         // t·H + h
  let t = th / p.H + p.t0;   // table row
  let base = th * p.D;
  var ia: u32; var ib: u32;
  if (p.interleaved == 0u) { ia = base + j; ib = base + j + half; } else { ia = base + 2u * j; ib = ia + 1u; }
  let c = cs[2u * (t * half + j)];
  let s = sgn * cs[2u * (t * half + j) + 1u];
  let a = x[ia];
  let b = x[ib];
  y[ia] = a * c - b * s;
  y[ib] = b * c + a * s;
}

override WG: u32 = 256; // threads per workgroup (descriptor default; grid1d in src/gpu/kernels/grid.ts assumes it)

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  rotate(gid.x + gid.y * nwg.x * WG, 1.0);
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  rotate(gid.x + gid.y * nwg.x * WG, -1.0);
}
