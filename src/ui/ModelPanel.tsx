import { useRef, useState, type DragEvent } from 'react';
import { useStore } from 'zustand';
import { BUNDLED_MODELS, configStore } from '../store/configStore';
import { adapterLimitProblems } from '../store/engineValues';
import { loadHubModel, loadPublicModel, loadUserFiles, probeTime } from '../store/actions';
import { runStore } from '../store/runStore';
import { estimateHostMemory, estimateRunMemory, estimateRunSeconds, reportedDeviceMemory } from '../store/estimate';
import { gpuStore } from '../store/gpuStore';
import { linearsOfFamily } from '../store/linears';
import { modelStore } from '../store/modelStore';
import { fmtBytes, fmtInt, fmtPct, fmtSeconds } from './format';

/** Model card (measured from the weights), memory estimate vs adapter limits, and "open your own model". */
export function ModelPanel() {
  const card = useStore(modelStore, (s) => s.card);
  const loading = useStore(modelStore, (s) => s.loading);
  const error = useStore(modelStore, (s) => s.error);
  const adjusted = useStore(modelStore, (s) => s.adjusted);
  const download = useStore(modelStore, (s) => s.download);
  const [hubInput, setHubInput] = useState('');
  const config = useStore(configStore, (s) => s.config);
  const status = useStore(gpuStore, (s) => s.status);
  const folderInput = useRef<HTMLInputElement>(null);
  const [drag, setDrag] = useState(false);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDrag(false);
    const files = [...e.dataTransfer.files];
    if (files.length) void loadUserFiles(files);
  };
  const est = card ? estimateRunMemory(card.spec, card.params, config) : null;
  const host = card ? estimateHostMemory(card.spec, card, config) : null;
  const deviceMemory = reportedDeviceMemory();
  const limits = status.kind === 'ready' && status.caps ? status.caps.limits : null;
  const bindLimit = limits ? Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) : null;
  const linears = linearsOfFamily(card?.spec.family); // LLaMA's 7 linears per block, GPT-2's 6
  const linearsTitle = linears.gpt2
    ? `Prunable linear layers: ${linears.labels.join(', ')} in every block (q, k, v are the three parts of the fused c_attn, each pruned on its own).`
    : 'Prunable linear layers: q, k, v, o (attention) and gate, up, down (MLP) in every block.';
  return (
    <section className="panel model" data-testid="model-panel">
      <h2>Model</h2>
      {loading && <p className="muted">Loading {loading}…</p>}
      {loading && download && <DownloadBar {...download} />}
      {error && (
        <p className="error" role="alert" data-testid="model-error" data-error-name={error.name}>
          <b>{error.name}</b>: {error.message}
          {card && <span className="muted small"> (still loaded: {card.name})</span>}
        </p>
      )}
      {card && (
        <div
          data-testid="model-card"
          data-json={JSON.stringify({
            name: card.name,
            params: card.params,
            nLayers: card.spec.nLayers,
            vocab: card.spec.vocabSize,
            linearSparsity: card.linearSparsity,
          })}
        >
          <h3 title={`sha256 of the weights: ${card.weightsSha256}`}>{card.name}</h3>
          <dl className="facts">
            <dt title={`All weights: embedding, ${linears.names.length} linears per block, norms, LM head.`}>parameters</dt>
            <dd>{fmtInt(card.params)}</dd>
            <dt title="Decoder blocks: BESA prunes them one at a time, in order.">blocks</dt>
            <dd>{card.spec.nLayers}</dd>
            <dt title={linearsTitle}>layers</dt>
            <dd>
              {card.spec.nLayers * linears.names.length} ({fmtInt(card.linearParams)} weights)
            </dd>
            <dt title="Tokenizer / embedding size.">vocab</dt>
            <dd>{fmtInt(card.spec.vocabSize)}</dd>
            <dt title="Hidden size C / MLP size F / attention heads / key-value heads (GQA).">shape</dt>
            <dd>
              C {card.spec.dim} · F {card.spec.ffnDim} · heads {card.spec.nHeads}/{card.spec.nKvHeads} · ctx {card.spec.maxSeqLen}
            </dd>
            <dt title="Fraction of exact zeros in the prunable linears as loaded (0 for a dense model; an exported pruned model shows its sparsity here).">
              zeros in linears
            </dt>
            <dd data-testid="model-sparsity">{fmtPct(card.linearSparsity, 2)}</dd>
          </dl>
          {adjusted && (
            <p className="muted" role="status" data-testid="model-adjusted">
              Adjusted to this model: {adjusted}.
            </p>
          )}
          {est && (
            <div
              className="estimate"
              title="Rough f32 estimate for a run with the current method settings. WebGPU does not report total GPU memory; the adapter's per-buffer limit is what a single tensor must fit."
            >
              <b>GPU memory for this run ≈ {fmtBytes(est.total)}</b> (weights {fmtBytes(est.weights)}, activations{' '}
              {fmtBytes(est.activations)}, workspace {fmtBytes(est.workspace)}
              {est.besaState ? `, BESA θ + optimiser ${fmtBytes(est.besaState)}` : ''}).
              {limits !== null && bindLimit !== null && (
                <GpuFit
                  problems={adapterLimitProblems(
                    card.spec,
                    { seqlen: config.seqlen, evalSeqlen: Math.min(card.spec.maxSeqLen, 256) },
                    limits,
                  )}
                  limit={bindLimit}
                />
              )}
            </div>
          )}
          {host && (
            <div
              className="estimate"
              data-testid="host-estimate"
              data-total={host.total}
              title="What the engine Worker holds at the end of the run: the weights as stored (bf16 stays bf16), every pruned block (a bitset of its zeros over 16-bit weights; a copy for SparseGPT or f32), one block in f32 with the method's per-weight state, and the calibration activations."
            >
              <b>Host memory for this run ≈ {fmtBytes(host.total)}</b> (weights {fmtBytes(host.weights)}, pruned blocks{' '}
              {fmtBytes(host.prunedCopies)}, one block {fmtBytes(host.block)}, activations {fmtBytes(host.activations)}).
              {deviceMemory !== null && (
                <span className={host.total > 0.5 * deviceMemory ? 'error' : 'ok'} data-testid="host-fit">
                  {' '}
                  This device reports about {fmtBytes(deviceMemory)} of RAM:{' '}
                  {host.total > deviceMemory
                    ? 'does not fit: the run needs more than the whole device has; use the CLI on a larger machine, or a smaller model'
                    : host.total > 0.5 * deviceMemory
                      ? 'the run may not fit in a tab (a tab gets a share of it); lower samples or sequence length, or use the CLI'
                      : 'fits'}
                  .
                </span>
              )}
            </div>
          )}
          <TimeEstimate />
          {card.readme && (
            <details>
              <summary>Model card (README.md)</summary>
              <pre className="readme">{card.readme}</pre>
            </details>
          )}
        </div>
      )}
      <div
        className={`dropzone${drag ? ' drag' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDrag(true);
        }}
        onDragLeave={() => setDrag(false)}
        onDrop={onDrop}
        title="Drop config.json + *.safetensors + tokenizer.json (Hugging Face LLaMA-family folder), or a llama2.c model .bin + tokenizer.bin."
      >
        <p>
          Open your own model: drop files here, or{' '}
          <button
            type="button"
            onClick={() => folderInput.current?.click()}
            title="Pick a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)."
          >
            choose a folder
          </button>{' '}
          <label
            className="filebtn"
            title="Pick the files themselves: config.json + model.safetensors + tokenizer.json, or model.bin + tokenizer.bin (llama2.c)."
          >
            choose files
            <input
              data-testid="model-files"
              type="file"
              multiple
              onChange={(e) => e.target.files?.length && void loadUserFiles([...e.target.files])}
            />
          </label>
        </p>
        <input
          ref={folderInput}
          type="file"
          hidden
          webkitdirectory=""
          onChange={(e) => e.target.files?.length && void loadUserFiles([...e.target.files])}
        />
        <form
          className="hubform"
          onSubmit={(e) => {
            e.preventDefault();
            if (hubInput.trim()) void loadHubModel(hubInput);
          }}
        >
          <label title="A Hugging Face model id (owner/name), its page URL, a /resolve/main/ URL, or the same path on a mirror. Files are downloaded once and kept in the browser's cache.">
            Or from the Hugging Face hub:{' '}
            <input
              data-testid="hub-input"
              type="text"
              placeholder="HuggingFaceTB/SmolLM2-135M"
              value={hubInput}
              onChange={(e) => setHubInput(e.target.value)}
              disabled={!!loading}
            />
          </label>{' '}
          <button type="submit" data-testid="hub-load" disabled={!!loading || !hubInput.trim()}>
            download
          </button>
        </form>
        <p className="muted">
          Or a bundled model:{' '}
          {BUNDLED_MODELS.map((m) => (
            <button
              key={m}
              type="button"
              className="link"
              onClick={() => void loadPublicModel(m)}
              title={`Load public/models/${m}/ (also selectable with #model=${m} in the URL).`}
            >
              {m}
            </button>
          ))}
        </p>
      </div>
    </section>
  );
}

/** One file of a hub download: a progress bar with MiB done of MiB (or "from the cache"). */
function DownloadBar({ file, loaded, total, cached }: { file: string; loaded: number; total: number | null; cached: boolean }) {
  return (
    <p className="muted small" data-testid="hub-progress" data-file={file}>
      {cached ? 'from the cache' : 'downloading'} {file}{' '}
      <progress value={loaded} max={total ?? undefined} aria-label={`download of ${file}`} /> {fmtBytes(loaded)}
      {total !== null && ` / ${fmtBytes(total)}`}
    </p>
  );
}

/** How long the run should take: one block forward timed here, scaled to the settings (store/estimate.ts). */
function TimeEstimate() {
  const probe = useStore(modelStore, (s) => s.timeProbe);
  const card = useStore(modelStore, (s) => s.card);
  const config = useStore(configStore, (s) => s.config);
  const busy = useStore(runStore, (s) => s.status === 'running');
  const est = card && probe ? estimateRunSeconds(card.spec, config, probe) : null;
  return (
    <div className="estimate" data-testid="time-estimate" data-seconds={est?.seconds}>
      {est ? (
        <>
          <b>Time for this run ≈ {fmtSeconds(est.seconds)}</b> on {probe!.engine} ({probe!.msPerBlockForward.toFixed(1)} ms per block
          forward at {probe!.seqlen} tokens{est.evalCounted ? '' : '; perplexity over all windows not counted'}).{' '}
        </>
      ) : (
        'How long will it take? '
      )}
      <button
        type="button"
        className="link"
        data-testid="time-probe"
        disabled={busy}
        onClick={() => void probeTime()}
        title="Times one block forward of this model on the engine in use (a fraction of a second) and scales it to the settings."
      >
        {est ? 're-time' : 'time a block on this device'}
      </button>
    </div>
  );
}

/** The WebGPU verdict: every buffer the run could not bind on this adapter, with the fix, or "fits". */
function GpuFit({ problems, limit }: { problems: string[]; limit: number }) {
  return problems.length ? (
    <span className="error" data-testid="gpu-fit" data-fits="false">
      {' '}
      Does not fit this GPU (buffers up to {fmtBytes(limit)}): {problems.join('; ')}.
    </span>
  ) : (
    <span className="ok" data-testid="gpu-fit" data-fits="true">
      {' '}
      Every buffer fits this adapter&apos;s limit of {fmtBytes(limit)}.
    </span>
  );
}
