// Register-tiled f32 matmul: C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b].
// Transposition is expressed with strides, so one kernel covers A·B, A·Bᵀ and Aᵀ·B:
//   A(i, k) = A[offA + (b/divA)·bsA + i·sAm + k·sAk]      (M × K)
//   B(k, j) = B[offB + (b/divB)·bsB + k·sBk + j·sBn]      (K × N)
//   C(i, j) = C[offC + (b/divC)·bsC + i·ldc + j]          (M × N, row-major)
// The batch divisors (usually 1) let grouped-query attention read kv head floor(h/G) for query head h.
// Each 16×16 workgroup computes a 64×64 tile of C; each thread a 4×4 block held in registers, with
// 16-deep K slices staged in workgroup memory as vec4s. Any M, N, K: out-of-range loads read 0 and
// out-of-range stores are skipped. CPU reference: src/core/matmul.ts (matmulRef).

//#include _params_matmul

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

const TILE: u32 = 64u;
const KT: u32 = 16u;

// As[kk * 16 + r / 4][r % 4] = A(row0 + r, k0 + kk); Bs[kk * 16 + c / 4][c % 4] = B(k0 + kk, col0 + c)
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;

fn loadA(b: u32, i: u32, k: u32) -> f32 {
  if (i >= p.M || k >= p.K) { return 0.0; }
  return A[p.offA + (b / p.divA) * p.bsA + i * p.sAm + k * p.sAk];
}

fn loadB(b: u32, k: u32, j: u32) -> f32 {
  if (k >= p.K || j >= p.N) { return 0.0; }
  return B[p.offB + (b / p.divB) * p.bsB + k * p.sBk + j * p.sBn];
}

// Fixed at 16×16 (the tile indexing below assumes it; the descriptor marks it fixedWorkgroupSize):
// overrides only so the size is stated in one place that src/gpu/kernels/descriptors.ts is checked against.
override WG_X: u32 = 16;
override WG_Y: u32 = 16;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * 16u + tx;
  let b = wg.z;
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  // Choose the staging order so neighbouring threads read neighbouring addresses (uniform branch).
  let aKFast = p.sAk == 1u;
  let bKFast = p.sBk == 1u;

  var acc: array<vec4<f32>, 4>;
  for (var i = 0u; i < 4u; i++) { acc[i] = vec4<f32>(0.0); }

  for (var k0 = 0u; k0 < p.K; k0 += KT) {
    for (var q = 0u; q < 4u; q++) {
      let e = t + 256u * q; // 0..1023 covers a 64 × 16 slice
      var r: u32; var kk: u32;
      if (aKFast) { kk = e % KT; r = e / KT; } else { r = e % TILE; kk = e / TILE; }
      As[kk * 16u + r / 4u][r % 4u] = loadA(b, row0 + r, k0 + kk);
      var c: u32; var kb: u32;
      if (bKFast) { kb = e % KT; c = e / KT; } else { c = e % TILE; kb = e / TILE; }
      Bs[kb * 16u + c / 4u][c % 4u] = loadB(b, k0 + kb, col0 + c);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < KT; kk++) {
      let a = As[kk * 16u + ty];
      let bv = Bs[kk * 16u + tx];
      acc[0] = fma(vec4<f32>(a.x), bv, acc[0]);
      acc[1] = fma(vec4<f32>(a.y), bv, acc[1]);
      acc[2] = fma(vec4<f32>(a.z), bv, acc[2]);
      acc[3] = fma(vec4<f32>(a.w), bv, acc[3]);
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let row = row0 + ty * 4u + i;
    if (row >= p.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + tx * 4u + j;
      if (col >= p.N) { continue; }
      let idx = p.offC + (b / p.divC) * p.bsC + row * p.ldc + col;
      var v = p.alpha * acc[i][j];
      if (p.beta != 0.0) { v += p.beta * C[idx]; }
      C[idx] = v;
    }
  }
}
