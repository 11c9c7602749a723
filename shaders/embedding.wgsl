// Embedding gather for one vocabulary chunk: out[t, :] = table[ids[t] − v0, :] for the tokens whose
// id lies in [v0, v0 + rows); other rows are left alone (another chunk's dispatch writes them).
// The table is split into chunks so vocabularies larger than maxStorageBufferBindingSize still bind
// (src/gpu/vocabTable.ts). CPU reference: embedCpu in src/model/forward.ts. Grid (ceil(C/WG), T).

struct Params {
  T: u32,
  C: u32,
  v0: u32,
  rows: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;     // [T]
@group(0) @binding(2) var<storage, read> table: array<f32>;   // [rows, C]
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // [T, C]

override WG: u32 = 64; // columns per workgroup: grid (ceil(C / WG), T)

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let t = gid.y;
  if (c >= p.C || t >= p.T) { return; }
  let id = ids[t];
  if (id < p.v0 || id >= p.v0 + p.rows) { return; }
  out[t * p.C + c] = table[(id - p.v0) * p.C + c];
}
