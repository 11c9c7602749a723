// RunConfig: everything that defines a pruning run. It is serialised into the studio's URL hash and
// stored in every run report, so a run is reproducible from it (docs/architecture.md §7: reproducibility).

export type MethodName = 'besa' | 'wanda' | 'sparsegpt' | 'magnitude';
export type Structure = 'unstructured' | '2:4' | '4:8';

export interface BesaOptions {
  granularity: 'row' | 'layer'; // docs/besa.md §1.3: row-wise (paper default) or one θ per linear
  lambda: number; // sparsity penalty weight β (docs/besa.md §1.6: 5 in every script)
  candidateStep: number; // 0.01 → 101 candidates
  optimizer: 'prodigy' | 'adam';
  dCoef: number; // Prodigy d_coef (docs/besa.md §1.7: 5 for row-wise 7B/13B)
  adamLr: number; // lr for the Adam option (docs/besa.md §1.7: 1e-2)
  epochs: number; // passes over the calibration samples (spec: 1)
  sigmoid: boolean; // docs/besa.md §1.4: softmax(sigmoid θ) bounds sparsity to [0.376, 0.624]; false = softmax(θ)
  target: 'pruned-input' | 'dense-chain'; // docs/besa.md §1.6 Y_ref: dense block on X_p (default) or dense chain
  importance: 'wanda' | 'weight';
  /**
   * How the final hard mask rounds the learned per-row sparsities (docs/besa.md §1.8). 'reference': floor(s_row·C)
   * exactly as the released code (lands under α̂: soft penalty + floor). 'match-target' (default): the same
   * allocation shifted and rounded so each block prunes exactly round(α̂·numel) weights; training is unchanged.
   */
  finalMask: 'match-target' | 'reference';
}

export interface RunConfig {
  method: MethodName;
  structure: Structure; // N:M for magnitude/Wanda/SparseGPT; BESA is unstructured
  sparsity: number; // target α̂
  nsamples: number; // calibration windows
  seqlen: number; // tokens per window
  seed: number;
  calibration: string; // dataset id, e.g. 'sotu-calib'
  evalDatasets: string[]; // e.g. ['sotu-eval', 'wikitext2-test']
  evalWindows: number; // 0 = all windows of each eval set
  besa: BesaOptions;
  magnitudeGranularity: 'layer' | 'row';
  sparsegptPercdamp: number;
  sparsegptBlocksize: number;
}

export const DEFAULT_BESA: BesaOptions = {
  granularity: 'row',
  lambda: 5,
  candidateStep: 0.01,
  optimizer: 'prodigy',
  dCoef: 5,
  adamLr: 1e-2,
  epochs: 1,
  sigmoid: true,
  target: 'pruned-input',
  importance: 'wanda',
  finalMask: 'match-target',
};

export const DEFAULT_RUN: RunConfig = {
  method: 'besa',
  structure: 'unstructured',
  sparsity: 0.5,
  nsamples: 64,
  seqlen: 256,
  seed: 0,
  calibration: 'sotu-calib',
  evalDatasets: ['sotu-eval', 'wikitext2-test'],
  evalWindows: 0,
  besa: DEFAULT_BESA,
  magnitudeGranularity: 'layer',
  sparsegptPercdamp: 0.01,
  sparsegptBlocksize: 128,
};
