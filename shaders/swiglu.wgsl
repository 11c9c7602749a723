// SwiGLU gate of the LLaMA MLP (CPU reference: src/core/ops/swiglu.ts), elementwise over [T, F]:
//   forward:  h = silu(g)·u,  silu(g) = g·σ(g)
//   backward: dgate = dh·u·σ(g)·(1 + g·(1 − σ(g))),  dup = dh·silu(g)

//#include _params_n

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;      // forward output
@group(0) @binding(3) var<storage, read> dh: array<f32>;           // backward input
@group(0) @binding(4) var<storage, read_write> dgate: array<f32>;
@group(0) @binding(5) var<storage, read_write> dup: array<f32>;

// σ(g) without overflow: exp of a non-positive argument only (exp(88+) would be inf in f32).
fn sigmoid(g: f32) -> f32 {
  let e = exp(-abs(g));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), g >= 0.0);
}

override WG: u32 = 256; // threads per workgroup (descriptor default; grid1d in src/gpu/kernels/grid.ts assumes it)

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let g = gate[i];
  h[i] = g * sigmoid(g) * up[i];
}

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let g = gate[i];
  let s = sigmoid(g);
  let d = dh[i];
  dgate[i] = d * up[i] * s * (1.0 + g * (1.0 - s));
  dup[i] = d * g * s;
}
