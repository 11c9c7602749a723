import { useEffect } from 'react';
import { useStore } from 'zustand';
import { refreshMemory } from '../store/actions';
import { gpuStore } from '../store/gpuStore';
import { runStore } from '../store/runStore';
import { fmtBytes } from './format';

/** Adapter, GPU memory (the Worker's allocation ledger: live / peak) and the self-check. */
export function Header() {
  const status = useStore(gpuStore, (s) => s.status);
  const mem = useStore(gpuStore, (s) => s.memory);
  const runMem = useStore(runStore, (s) => s.memory);
  const adapter = useStore(runStore, (s) => s.adapter);
  const engine = useStore(gpuStore, (s) => s.engine);
  useEffect(() => {
    const t = setInterval(() => void refreshMemory().catch(() => undefined), 2000);
    return () => clearInterval(t);
  }, []);
  const m = runMem ?? mem;
  // On the WASM engine the run's memory events carry the module's memory (it never shrinks), not GPU buffers.
  const wasm = engine?.engine === 'wasm' && runMem !== null;
  return (
    <header className="top">
      <h1>
        BESA Studio <span className="sub">prune a small language model on your GPU and watch the allocation converge</span>
      </h1>
      <div className="top-facts">
        <span data-testid="adapter" title="The WebGPU adapter the engine Worker acquired (navigator.gpu.requestAdapter).">
          {status.kind !== 'ready' ? 'Looking for a WebGPU adapter…' : status.adapter ? `GPU: ${status.adapter}` : 'No WebGPU'}
        </span>
        <span data-testid="engine-header" data-engine={engine?.engine ?? ''} title={engine?.reason ?? 'Decided once a model is loaded.'}>
          engine: {engine ? `${engine.engine} (${engine.reason})` : '…'}
        </span>
        {wasm ? (
          <span
            data-testid="gpu-memory"
            data-kind="wasm"
            title="The WASM engine's module memory: it grows to the run's largest block and never shrinks, so this is also its peak."
          >
            WASM memory {fmtBytes(runMem.peakBytes)} peak
          </span>
        ) : (
          <span
            data-testid="gpu-memory"
            data-kind="gpu"
            title="GPU buffers currently allocated by the engine and the peak since the page loaded (allocation ledger)."
          >
            GPU memory {m ? `${fmtBytes(m.liveBytes)} live · ${fmtBytes(m.peakBytes)} peak` : '–'}
          </span>
        )}
        {adapter && (
          <span className="executor" title="Which block executor the pruning loop runs on (recorded in the run report).">
            executor: {adapter}
          </span>
        )}
      </div>
    </header>
  );
}
