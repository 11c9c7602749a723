// Shared snippet (not a kernel): 64-thread workgroup max / sum reductions for row-wise softmax-style
// kernels. Pulled in with a `//#include _reduce64` line (src/gpu/shaderSources.ts resolves it).
// Every thread of the workgroup must call these (they contain barriers).

override WG: u32 = 64; // threads per workgroup, a power of two (the including kernel's @workgroup_size)
const NEG_BIG: f32 = -3.0e38; // finite "minus infinity": keeps exp(x - m) free of inf - inf
var<workgroup> red: array<f32, WG>;

fn reduceMax(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var o = WG / 2u; o > 0u; o = o / 2u) {
    if (lid < o) { red[lid] = max(red[lid], red[lid + o]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduceSum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var o = WG / 2u; o > 0u; o = o / 2u) {
    if (lid < o) { red[lid] = red[lid] + red[lid + o]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
