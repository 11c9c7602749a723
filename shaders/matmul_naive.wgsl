// Naive f32 matmul, one output per thread, no workgroup memory. Kept only as the benchmark
// baseline for matmul_tiled.wgsl (same Params and stride semantics; see that file).

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  offA: u32, sAm: u32, sAk: u32, bsA: u32,
  offB: u32, sBk: u32, sBn: u32, bsB: u32,
  offC: u32, ldc: u32, bsC: u32, divA: u32,
  alpha: f32, beta: f32, divB: u32, divC: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  let i = gid.y;
  let b = gid.z;
  if (i >= p.M || j >= p.N) { return; }
  var acc = 0.0;
  let a0 = p.offA + (b / p.divA) * p.bsA + i * p.sAm;
  let b0 = p.offB + (b / p.divB) * p.bsB + j * p.sBn;
  for (var k = 0u; k < p.K; k++) {
    acc = fma(A[a0 + k * p.sAk], B[b0 + k * p.sBk], acc);
  }
  let idx = p.offC + (b / p.divC) * p.bsC + i * p.ldc + j;
  var v = p.alpha * acc;
  if (p.beta != 0.0) { v += p.beta * C[idx]; }
  C[idx] = v;
}
