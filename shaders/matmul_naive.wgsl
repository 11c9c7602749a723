// Naive f32 matmul, one output per thread, no workgroup memory (same Params and stride semantics as
// matmul_tiled.wgsl; see that file). Used as the benchmark baseline (16×16 workgroups) and, launched
// as 64×1 workgroups (override constants), for skinny products with a few rows (one-token decoding
// with a KV cache, src/gpu/decoder.ts), where a 64×64 tile would compute up to 63 wasted rows.

//#include _params_matmul

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

override WG_X: u32 = 16;
override WG_Y: u32 = 16;

@compute @workgroup_size(WG_X, WG_Y, 1)
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
