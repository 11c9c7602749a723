// The heavy half of BESA's θ gradient (docs/besa.md §1.5, prefix-sum form). For every row r:
//   g_r(j) = G[r, sortIdx[r, j]]            (dL/dM gathered in ascending-importance order)
//   out[r, d] = Pre_r(k_d) = Σ_{j < k_d} g_r(j)
// so that dL/dp_{r,d} = −out[r, d] (+ penalty). Only the D sampled prefixes are needed, not all `cols`,
// and the candidates' k_d descend in d (k_d = int(cols·cand_d), cand = 1.00, 0.99, …, 0). So the row
// splits into D segments [k_{d+1}, k_d) (k_D := 0) and the work is two barrier-free passes:
//   segments: one thread per (r, d) sums its segment, about cols/D gathers  → out[r, d] = seg_d
//   suffix:   one thread per row turns them into suffix sums over d: out[r, d] = Σ_{d' ≥ d} seg_{d'}
// That is cols gathers + D adds per row with no workgroup barriers (a workgroup scan over every element
// cost cols·log2 WG adds and 2·log2 WG barriers per WG columns; barriers are what software adapters pay
// for most). k_d must be non-increasing in d (src/prune/gpuExecutor.ts checks); values above cols are
// clamped. CPU reference: prefixAtCandidates in src/core/besa/grad.ts.

struct Params {
  rows: u32,
  cols: u32,
  D: u32,       // number of candidates
  strideX: u32, // threads per dispatch row of the grid: i = gid.y * strideX + gid.x
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;       // [rows, cols] dL/dM
@group(0) @binding(2) var<storage, read> sortIdx: array<u32>; // [rows, cols]
@group(0) @binding(3) var<storage, read> kd: array<u32>;      // [D] int(cols · cand_d), non-increasing
@group(0) @binding(4) var<storage, read_write> outPre: array<f32>; // [rows, D]

override WG: u32 = 64;

fn k_at(d: u32) -> u32 {
  if (d >= p.D) { return 0u; }
  return min(kd[d], p.cols);
}

// i = r·D + d
@compute @workgroup_size(WG)
fn segments(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.strideX + gid.x;
  if (i >= p.rows * p.D) { return; }
  let r = i / p.D;
  let d = i - r * p.D;
  let rowBase = r * p.cols;
  var v = 0.0;
  for (var j = k_at(d + 1u); j < k_at(d); j++) { v += G[rowBase + sortIdx[rowBase + j]]; }
  outPre[i] = v;
}

// one thread per row r
@compute @workgroup_size(WG)
fn suffix(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.y * p.strideX + gid.x;
  if (r >= p.rows) { return; }
  var acc = 0.0;
  for (var e = 0u; e < p.D; e++) {
    let i = r * p.D + (p.D - 1u - e);
    acc += outPre[i];
    outPre[i] = acc;
  }
}
