import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { MethodName, Structure } from '../prune/config';
import { configStore } from '../store/configStore';
import { runStore } from '../store/runStore';

/** A labelled control; the label's title is the plain-words explanation shown on hover. */
function Field({ label, help, children }: { label: string; help: string; children: ReactNode }) {
  return (
    <label className="field" title={help}>
      <span className="flabel">
        {label} <span className="q" aria-hidden>?</span>
      </span>
      {children}
    </label>
  );
}

function NumberInput({ value, onChange, step, min, max, testId }: { value: number; onChange: (v: number) => void; step: number; min?: number; max?: number; testId?: string }) {
  return (
    <input
      type="number"
      data-testid={testId}
      value={value}
      step={step}
      min={min}
      max={max}
      onChange={(e) => {
        const v = Number(e.target.value);
        if (e.target.value !== '' && Number.isFinite(v)) onChange(v);
      }}
    />
  );
}

const METHOD_HELP: Record<MethodName, string> = {
  besa: 'BESA learns how much to prune in each layer (and each row) by minimising the error of the whole block output, one block at a time.',
  wanda: 'Wanda removes, in each output row, the weights with the smallest |weight| × input size. One shot, no learning, same sparsity in every layer.',
  sparsegpt: 'SparseGPT prunes column by column and updates the remaining weights to compensate (second-order, from the input Hessian). One shot.',
  magnitude: 'Magnitude removes the weights with the smallest absolute value. The simplest baseline; ignores the data.',
};

export function MethodPanel() {
  const c = useStore(configStore, (s) => s.config);
  const { set, setBesa } = configStore.getState();
  const running = useStore(runStore, (s) => s.status === 'running');
  const b = c.besa;
  return (
    <section className="panel method" data-learn="method" data-testid="method-panel">
      <h2>Method</h2>
      <fieldset disabled={running} title={running ? 'Settings are locked while a run is in progress.' : undefined}>
        <Field label="method" help={METHOD_HELP[c.method]}>
          <select data-testid="method" value={c.method} onChange={(e) => set({ method: e.target.value as MethodName, structure: e.target.value === 'besa' ? 'unstructured' : c.structure })}>
            <option value="besa">BESA (learned allocation)</option>
            <option value="wanda">Wanda</option>
            <option value="sparsegpt">SparseGPT</option>
            <option value="magnitude">Magnitude</option>
          </select>
        </Field>
        {c.method !== 'besa' && (
          <Field label="pattern" help="Unstructured: any weight may be removed. N:M (2:4, 4:8): in every group of M consecutive inputs exactly N are removed — the pattern sparse tensor cores can speed up. N:M fixes the sparsity at N/M.">
            <select data-testid="structure" value={c.structure} onChange={(e) => {
              const s = e.target.value as Structure;
              set(s === 'unstructured' ? { structure: s } : { structure: s, sparsity: Number(s.split(':')[0]) / Number(s.split(':')[1]) });
            }}>
              <option value="unstructured">unstructured</option>
              <option value="2:4">2:4</option>
              <option value="4:8">4:8</option>
            </select>
          </Field>
        )}
        <Field label="target sparsity" help="Fraction of the weights of the 7 linear layers to set to zero (0.5 = half). BESA hits it on average per block; each layer may differ.">
          <NumberInput testId="sparsity" value={c.sparsity} step={0.05} min={0.05} max={0.95} onChange={(v) => set({ sparsity: v })} />
        </Field>
        <Field label="samples" help="How many calibration text windows are used. BESA takes one optimiser step per sample per block (the paper uses 128).">
          <NumberInput testId="nsamples" value={c.nsamples} step={1} min={1} onChange={(v) => set({ nsamples: Math.max(1, Math.round(v)) })} />
        </Field>
        <Field label="seqlen" help="Tokens per calibration window (the paper uses 2048). Longer windows give better statistics but cost more time and memory.">
          <NumberInput testId="seqlen" value={c.seqlen} step={16} min={2} onChange={(v) => set({ seqlen: Math.max(2, Math.round(v)) })} />
        </Field>
        <Field label="seed" help="Seed of the calibration sampling (and of text generation). The same seed and settings reproduce the same run; it is part of the shareable URL.">
          <NumberInput testId="seed" value={c.seed} step={1} min={0} onChange={(v) => set({ seed: Math.max(0, Math.round(v)) })} />
        </Field>
        <Field label="eval windows" help="Perplexity is measured on this many windows of the evaluation text before and after pruning. 0 = the whole text (the paper protocol; slow in a browser).">
          <NumberInput testId="evalwin" value={c.evalWindows} step={1} min={0} onChange={(v) => set({ evalWindows: Math.max(0, Math.round(v)) })} />
        </Field>
        {c.method === 'besa' && (
          <>
            <Field label="granularity" help="Row-wise (paper default): every output row learns its own sparsity. Layer-wise: one learned sparsity per linear layer.">
              <select data-testid="granularity" value={b.granularity} onChange={(e) => setBesa({ granularity: e.target.value as 'row' | 'layer' })}>
                <option value="row">row-wise</option>
                <option value="layer">layer-wise</option>
              </select>
            </Field>
            <Field label="λ (penalty)" help="How strongly the loss pulls the block's sparsity towards the target: L = reconstruction error + λ·((s − target)/target)². The reference uses 5.">
              <NumberInput testId="lambda" value={b.lambda} step={0.5} min={0} onChange={(v) => setBesa({ lambda: v })} />
            </Field>
            <Field label="candidate step" help="Spacing of the candidate sparsities each row chooses among (0.01 → 101 candidates 0.00 … 1.00).">
              <NumberInput testId="cstep" value={b.candidateStep} step={0.01} min={0.01} max={0.5} onChange={(v) => setBesa({ candidateStep: v })} />
            </Field>
            <Field label="optimiser" help="Prodigy adapts its own step size (the reference's choice, lr 1). Adam uses a fixed learning rate.">
              <select data-testid="optimizer" value={b.optimizer} onChange={(e) => setBesa({ optimizer: e.target.value as 'prodigy' | 'adam' })}>
                <option value="prodigy">Prodigy</option>
                <option value="adam">Adam</option>
              </select>
            </Field>
            {b.optimizer === 'prodigy' ? (
              <Field label="d_coef" help="Prodigy's step-size multiplier. Larger moves the sparsities faster (reference: 5 for row-wise 7B/13B).">
                <NumberInput testId="dcoef" value={b.dCoef} step={0.5} min={0.01} onChange={(v) => setBesa({ dCoef: v })} />
              </Field>
            ) : (
              <Field label="Adam lr" help="Adam's learning rate for the sparsity logits θ (reference: 0.01).">
                <NumberInput testId="adamlr" value={b.adamLr} step={0.001} min={0} onChange={(v) => setBesa({ adamLr: v })} />
              </Field>
            )}
            <Field label="sigmoid" help="On (reference): probabilities are softmax(sigmoid θ), which keeps every row's sparsity between about 0.38 and 0.62 — a strong built-in brake. Off: softmax(θ), rows may go anywhere in 0…1.">
              <input type="checkbox" data-testid="sigmoid" checked={b.sigmoid} onChange={(e) => setBesa({ sigmoid: e.target.checked })} />
            </Field>
            <Field label="target output" help="What the pruned block must reproduce: the dense block on the pruned model's inputs (reference row-wise runs), or the fully dense model's activations (layer-wise runs in the reference).">
              <select value={b.target} onChange={(e) => setBesa({ target: e.target.value as 'pruned-input' | 'dense-chain' })}>
                <option value="pruned-input">dense block on pruned inputs</option>
                <option value="dense-chain">dense model chain</option>
              </select>
            </Field>
            <Field label="importance" help="How weights are ranked within a row before BESA chooses how many to drop: Wanda's |w|·‖x‖ (reference) or plain |w|.">
              <select value={b.importance} onChange={(e) => setBesa({ importance: e.target.value as 'wanda' | 'weight' })}>
                <option value="wanda">|w|·‖x‖ (Wanda)</option>
                <option value="weight">|w|</option>
              </select>
            </Field>
            <Field label="final mask" help="How the learned row sparsities become the final mask. Match target: the same allocation, rounded so each block prunes exactly the target fraction. Reference: floor(s·C) per row as the released code, which lands a little under the target (soft penalty, rounding down).">
              <select data-testid="finalmask" value={b.finalMask} onChange={(e) => setBesa({ finalMask: e.target.value as 'match-target' | 'reference' })}>
                <option value="match-target">match target exactly</option>
                <option value="reference">reference (floor)</option>
              </select>
            </Field>
          </>
        )}
        {c.method === 'sparsegpt' && (
          <Field label="damping" help="Fraction of the mean Hessian diagonal added before inverting it (numerical stability; reference 0.01).">
            <NumberInput value={c.sparsegptPercdamp} step={0.005} min={0} onChange={(v) => set({ sparsegptPercdamp: v })} />
          </Field>
        )}
        {c.method === 'magnitude' && (
          <Field label="compare within" help="Layer: the smallest weights of the whole layer go. Row: the same fraction from every output row.">
            <select value={c.magnitudeGranularity} onChange={(e) => set({ magnitudeGranularity: e.target.value as 'layer' | 'row' })}>
              <option value="layer">whole layer</option>
              <option value="row">each row</option>
            </select>
          </Field>
        )}
      </fieldset>
      <p className="muted small">Every setting is in the page URL: copy it to share or reproduce this run.</p>
    </section>
  );
}
