// AssemblyScript: Prodigy's two elementwise passes over one θ tensor (src/core/optim/prodigy.ts), for the
// WASM engine, whose optimiser state stays in module memory (src/wasm/prodigyStore.ts). Each pass does the
// JS loop's arithmetic in the same order and precision (f64 math on f32 values, f32 stores, both reductions
// summed one element after the other), so the results are bit-identical to the JS optimiser's.

/**
 * The first pass: gdot = Σ g·(p0 − p); m = m·β1 + mCoef·g; v = v·β2 + vCoef·g·g; s = s·β3 + sCoef·g;
 * sAbs = Σ |s| over the stored (f32) s. g, p, p0, m, v, s are [n] f32; out receives [gdot, sAbs] in f64.
 */
export function prodigyAccumulate(
  g: usize,
  p: usize,
  p0: usize,
  m: usize,
  v: usize,
  s: usize,
  n: i32,
  beta1: f64,
  mCoef: f64,
  beta2: f64,
  vCoef: f64,
  beta3: f64,
  sCoef: f64,
  out: usize,
): void {
  let gdot: f64 = 0;
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    gdot += <f64>load<f32>(g + o) * (<f64>load<f32>(p0 + o) - <f64>load<f32>(p + o));
  }
  let sAbs: f64 = 0;
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    const gj = <f64>load<f32>(g + o);
    store<f32>(m + o, <f32>(<f64>load<f32>(m + o) * beta1 + mCoef * gj));
    store<f32>(v + o, <f32>(<f64>load<f32>(v + o) * beta2 + vCoef * gj * gj));
    const sj = <f32>(<f64>load<f32>(s + o) * beta3 + sCoef * gj);
    store<f32>(s + o, sj);
    sAbs += Math.abs(<f64>sj);
  }
  store<f64>(out, gdot);
  store<f64>(out + 8, sAbs);
}

/**
 * The second pass: with decay, p += decayCoef·p (decoupled weight decay, decayCoef = −wd·dlr) first; then
 * p −= dlr·m / (√v + epsD). p, m, v are [n] f32.
 */
export function prodigyApply(p: usize, m: usize, v: usize, n: i32, dlr: f64, epsD: f64, decay: i32, decayCoef: f64): void {
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    if (decay) store<f32>(p + o, <f32>(<f64>load<f32>(p + o) + decayCoef * <f64>load<f32>(p + o)));
    store<f32>(p + o, <f32>(<f64>load<f32>(p + o) - (dlr * <f64>load<f32>(m + o)) / (Math.sqrt(<f64>load<f32>(v + o)) + epsD)));
  }
}

/**
 * BESA's dL/dθ [G, D] from the prefix sums at the candidates (src/core/besa/grad.ts thetaGradFromPrefix, the
 * same f64 expressions in the same order): dp = −pre + dLds·cand; dz = p·(dp − Σ_d p·dp), times σ(1 − σ)
 * with the sigmoid. pre [G, D] f64, p [G, D] f32, cand [D] f32, sig [G, D] f64 (σ(θ) as the probabilities
 * left it; read only with useSigmoid), dp f64 scratch of D, out [G, D] f32.
 */
export function thetaGradFromPrefix(pre: usize, p: usize, cand: usize, sig: usize, G: i32, D: i32, useSigmoid: i32, dLds: f64, dp: usize, out: usize): void {
  for (let g = 0; g < G; g++) {
    const row = <usize>g * <usize>D;
    let dot: f64 = 0;
    for (let d = 0; d < D; d++) {
      const v = -load<f64>(pre + ((row + <usize>d) << 3)) + dLds * <f64>load<f32>(cand + (<usize>d << 2));
      store<f64>(dp + (<usize>d << 3), v);
      dot += <f64>load<f32>(p + ((row + <usize>d) << 2)) * v;
    }
    for (let d = 0; d < D; d++) {
      const i = row + <usize>d;
      let dz = <f64>load<f32>(p + (i << 2)) * (load<f64>(dp + (<usize>d << 3)) - dot);
      if (useSigmoid) {
        const sg = load<f64>(sig + (i << 3));
        dz *= sg * (1 - sg);
      }
      store<f32>(out + (i << 2), <f32>dz);
    }
  }
}
