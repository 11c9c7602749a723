import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { gpuStore } from './store/gpuStore';
import { App } from './ui/App';
import { EngineClient } from './worker/client';

// Probe WebGPU on the page first: without navigator.gpu the Worker cannot have it either, and the
// user must see the fallback page (not a blank screen or a console error).
async function boot(): Promise<void> {
  const { setStatus, setSelfCheck } = gpuStore.getState();
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    setStatus({ kind: 'unavailable', errorName: 'WebGpuUnavailableError', reason: 'This browser does not expose navigator.gpu.' });
    return;
  }
  const engine = new EngineClient();
  try {
    const init = await engine.request<'init-ok'>({ type: 'init' });
    setStatus({ kind: 'ready', adapter: init.adapter, caps: init.caps });
  } catch (e) {
    const err = e as Error;
    setStatus({ kind: 'unavailable', errorName: err.name, reason: err.message });
    return;
  }
  try {
    const r = await engine.request<'self-check-ok'>({ type: 'self-check' });
    setSelfCheck(r.result);
  } catch (e) {
    setSelfCheck(null, (e as Error).message);
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void boot();
