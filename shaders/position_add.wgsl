// GPT-2's learned position embedding, added in place to the token embeddings: x[t, c] += pos[t0 + t, c].
// x is [T, C], pos the [P, C] table (wpe); t0 is the absolute position of row 0, so incremental decoding
// adds the new rows at their positions (t0 = number of cached positions). CPU reference:
// src/core/ops/positionAdd.ts. Both are row-major with the same C, so row t0 + t of pos starts t0·C floats
// after row t of x starts in x: one flat index serves both. Flat index over x and y workgroups (grid1d).

struct Params { T: u32, C: u32, t0: u32, _p0: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pos: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;

override WG: u32 = 256; // threads per workgroup (descriptor default; grid1d in src/gpu/kernels/grid.ts assumes it)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.T * p.C) { return; }
  x[i] = x[i] + pos[p.t0 * p.C + i];
}
