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
