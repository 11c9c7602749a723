// Shared snippet (not a kernel): the strided matmul description of matmul_tiled.wgsl and
// matmul_naive.wgsl (semantics in matmul_tiled.wgsl; packed from MatmulDesc by matmulParams in
// src/gpu/kernels/matmul.ts, fields listed as PARAMS_MATMUL in src/gpu/kernels/descriptors.ts).

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  offA: u32, sAm: u32, sAk: u32, bsA: u32,
  offB: u32, sBk: u32, sBn: u32, bsB: u32,
  offC: u32, ldc: u32, bsC: u32, divA: u32,
  alpha: f32, beta: f32, divB: u32, divC: u32,
}
