// BESA hard mask (docs/besa.md §1.5, mask_gen_cuda): M[r, sortIdx[r, j]] = 0 for j < n_g, else 1, where g is
// the logit group of row r (row-wise: g = r; layer-wise: one group). One thread per (row, j).
// CPU reference: hardMask in src/core/besa/masks.ts.

struct Params {
  rows: u32,
  cols: u32,
  groupSize: u32, // rows per logit group (1 = row-wise, rows = layer-wise)
  strideX: u32,   // threads per dispatch row: index = gid.y * strideX + gid.x
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> sortIdx: array<u32>; // [rows, cols], ascending importance
@group(0) @binding(2) var<storage, read> n: array<u32>;       // [G] prune counts floor(s_g · cols)
@group(0) @binding(3) var<storage, read_write> M: array<f32>; // [rows, cols]

override WG: u32 = 256; // threads per workgroup; the wrapper passes strideX = WG · workgroups.x

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * p.strideX + gid.x;
  if (i >= p.rows * p.cols) { return; }
  let r = i / p.cols;
  let j = i % p.cols;
  let keep = j >= n[r / p.groupSize];
  M[r * p.cols + sortIdx[i]] = select(0.0, 1.0, keep);
}
