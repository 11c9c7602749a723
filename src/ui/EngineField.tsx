// The engine menu of the method panel (docs/wasm.md §3) and the decision the Worker made for it.
// The choice is kept in the URL hash (`engine`); the Worker decides for the loaded model and says why.
import { useStore } from 'zustand';
import { HelpTip } from './HelpTip';
import type { EngineRequest } from '../prune/engineChoice';
import { pickEngine } from '../store/actions';
import { configStore } from '../store/configStore';
import { ENGINE_REQUESTS } from '../store/engineValues';
import { gpuStore } from '../store/gpuStore';
import { runStore } from '../store/runStore';

const LABELS: Record<EngineRequest, string> = {
  auto: 'auto (the fastest here)',
  webgpu: 'WebGPU (your GPU)',
  wasm: 'WASM SIMD (your CPU)',
  cpu: 'CPU reference (slow, f64 sums)',
};

const HELP =
  'Where the pruning math runs. auto takes WebGPU on a hardware GPU; on a software adapter it times one block on WebGPU and on WASM and takes the faster; without WebGPU it takes WASM. The results agree within float rounding.';

export function EngineField() {
  const request = useStore(configStore, (s) => s.engine);
  const status = useStore(gpuStore, (s) => s.status);
  const decision = useStore(gpuStore, (s) => s.engine);
  const error = useStore(gpuStore, (s) => s.engineError);
  const running = useStore(runStore, (s) => s.status === 'running');
  const ready = status.kind === 'ready' ? status : null;
  const missing = (e: EngineRequest) => (e === 'webgpu' && ready && !ready.caps) || (e === 'wasm' && ready && !ready.wasm);
  return (
    <div className="engine-field">
      <div className="field" title={HELP}>
        <span className="flabel">
          <span aria-hidden>engine</span> <HelpTip label="engine" help={HELP} />
        </span>
        <label className="field-control">
          <span className="sr-only">engine</span>
          <select
            data-testid="engine"
            value={request}
            disabled={running}
            onChange={(e) => void pickEngine(e.target.value as EngineRequest)}
          >
            {ENGINE_REQUESTS.map((e) => (
              <option key={e} value={e} disabled={Boolean(missing(e))}>
                {LABELS[e]}
                {missing(e) ? ' — not available here' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small" data-testid="engine-decision" data-engine={decision?.engine ?? ''}>
        {error ? <span className="error">{error}</span> : decision ? `runs on ${decision.engine}: ${decision.reason}` : 'choosing…'}
      </p>
    </div>
  );
}
