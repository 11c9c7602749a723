// Sum reduction: out[outOffset + wg] (+)= scale · Σ x[i] over the i this workgroup covers.
// Workgroup w of G sums i = w·256 + lid + k·256·G (grid stride), then a 256-wide tree in workgroup
// memory (pairwise, so the f32 rounding error grows ~log n rather than ~n). One workgroup gives the
// full sum; src/gpu/kernels/sum.ts runs G ≤ 256 partials then a 1-workgroup second pass.

struct Params { n: u32, outOffset: u32, accumulate: u32, scale: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

override WG: u32 = 256; // a power of two (tree reduction)
var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = wg.x * WG + lid; i < p.n; i += WG * nwg.x) { s += x[i]; }
  red[lid] = s;
  workgroupBarrier();
  for (var k = WG / 2u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] = red[lid] + red[lid + k]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let o = p.outOffset + wg.x;
    var v = p.scale * red[0];
    if (p.accumulate != 0u) { v += out[o]; }
    out[o] = v;
  }
}
