// The heavy half of BESA's θ gradient (docs/besa.md §1.5, prefix-sum form). For every row r:
//   g_r(j) = G[r, sortIdx[r, j]]            (dL/dM gathered in ascending-importance order)
//   out[r, d] = Pre_r(k_d) = Σ_{j < k_d} g_r(j)
// so that dL/dp_{r,d} = −out[r, d] (+ penalty). One WG-thread workgroup (default 256) per row scans
// the row in chunks of WG (Hillis–Steele in workgroup memory) carrying the running total between chunks.
// The softmax/sigmoid backward on [rows, 101] is done by thetaGradFromPrefix (CPU, small).
// CPU reference: prefixAtCandidates in src/core/besa/grad.ts.

struct Params {
  rows: u32,
  cols: u32,
  D: u32,       // number of candidates
  wgStride: u32, // workgroups per dispatch row: r = wg.y * wgStride + wg.x
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;       // [rows, cols] dL/dM
@group(0) @binding(2) var<storage, read> sortIdx: array<u32>; // [rows, cols]
@group(0) @binding(3) var<storage, read> kd: array<u32>;      // [D] int(cols · cand_d)
@group(0) @binding(4) var<storage, read_write> outPre: array<f32>; // [rows, D]

override WG: u32 = 256;
var<workgroup> scan: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wg.y * p.wgStride + wg.x;
  if (r >= p.rows) { return; } // uniform per workgroup
  let lid = lid3.x;
  let rowBase = r * p.cols;
  // k_d = 0 means nothing pruned: the empty prefix.
  for (var d = lid; d < p.D; d += WG) {
    if (kd[d] == 0u) { outPre[r * p.D + d] = 0.0; }
  }
  var base = 0.0;
  for (var c0 = 0u; c0 < p.cols; c0 += WG) {
    let j = c0 + lid;
    var v = 0.0;
    if (j < p.cols) { v = G[rowBase + sortIdx[rowBase + j]]; }
    scan[lid] = v;
    workgroupBarrier();
    for (var off = 1u; off < WG; off *= 2u) {
      var t = 0.0;
      if (lid >= off) { t = scan[lid - off]; }
      workgroupBarrier();
      scan[lid] += t;
      workgroupBarrier();
    }
    // Pre(k) for k in (c0, c0 + WG] is base + scan[k − c0 − 1].
    for (var d = lid; d < p.D; d += WG) {
      let k = kd[d];
      if (k > c0 && k <= c0 + WG) { outPre[r * p.D + d] = base + scan[k - c0 - 1u]; }
    }
    base += scan[WG - 1u];
    workgroupBarrier();
  }
}
