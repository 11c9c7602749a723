import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { compareStore } from './store/compareStore';
import { configStore, syncHash } from './store/configStore';
import { attachEngine, loadPublicModel, resolveDefaultModel } from './store/actions';
import { gpuStore } from './store/gpuStore';
import { modelStore } from './store/modelStore';
import { runStore } from './store/runStore';
import { uiStore } from './store/uiStore';
import { App } from './ui/App';
import './ui/styles.css';
import { installTestHooks, testHooksRequested } from './testHooks';
import { EngineClient } from './worker/client';

// The Worker looks for WebGPU itself (a page may lack navigator.gpu while its Worker has it, and the
// reverse). Without WebGPU the studio runs on the WASM engine (docs/wasm.md) with a notice; only a
// Worker that cannot start at all, or a browser with neither WebGPU nor WebAssembly SIMD and a
// failing CPU path, gets the fallback page.
async function boot(): Promise<void> {
  const { setStatus, setSelfCheck } = gpuStore.getState();
  const engine = new EngineClient();
  attachEngine(engine);
  // e2e only: ?e2e-hooks=1 in the page URL installs the typed window.__besaTest (store snapshots, a
  // Worker round trip, a forced device loss; src/testHooks.ts) and puts the stores on window. Without
  // the flag neither exists and the Worker refuses the test-only requests.
  const testHooks = testHooksRequested(location.search);
  if (testHooks)
    installTestHooks(
      { run: runStore, model: modelStore, config: configStore, ui: uiStore, compare: compareStore, gpu: gpuStore },
      {
        workerState: async () => ({ running: (await engine.request<'test-state-ok'>({ type: 'test-state' })).running }),
        loseDevice: async () => void (await engine.request<'ok'>({ type: 'test-lose-device' })),
        pushStats: () => ({ ...engine.pushStats }),
        loadFiles: async (files) => {
          try {
            await engine.request<'model-ok'>({ type: 'load-model', source: { kind: 'files', files } });
            return { ok: true };
          } catch (e) {
            return { ok: false, errorName: (e as Error).name, message: (e as Error).message };
          }
        },
      },
    );
  let init: Awaited<ReturnType<typeof engine.request<'init-ok'>>>;
  try {
    init = await engine.request<'init-ok'>({ type: 'init', testHooks });
    setStatus({ kind: 'ready', adapter: init.adapter, caps: init.caps, gpuError: init.gpuError, wasm: init.wasm });
    if (!init.caps) setSelfCheck(null, null);
  } catch (e) {
    const err = e as Error;
    setStatus({ kind: 'unavailable', errorName: err.name, reason: err.message });
    return;
  }
  syncHash();
  // The default model loads on first paint, alongside the GPU self-check.
  const named = configStore.getState().modelName !== '';
  const model = resolveDefaultModel().then(async (name) => {
    // The default sotu-llama-3m may be half-written while it is being trained: fall back to micro
    // and keep its load error on screen, so the studio is never left without a model.
    if ((await loadPublicModel(name, named)) || named || name === 'micro') return;
    const err = modelStore.getState().error;
    if (await loadPublicModel('micro', false))
      modelStore
        .getState()
        .set({ error: err && { name: err.name, message: `${name} could not be loaded, using micro instead. ${err.message}` } });
  });
  if (init.caps)
    try {
      const r = await engine.request<'self-check-ok'>({ type: 'self-check' });
      setSelfCheck(r.result);
    } catch (e) {
      setSelfCheck(null, (e as Error).message);
    }
  await model;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void boot();
