import { useStore } from 'zustand';
import { gpuStore } from '../store/gpuStore';
import { NoWebGpu } from './NoWebGpu';
import { SelfCheckPanel } from './SelfCheckPanel';

export function App() {
  const status = useStore(gpuStore, (s) => s.status);
  if (status.kind === 'unavailable') return <NoWebGpu reason={status.reason} />;
  return (
    <main>
      <header>
        <h1>BESA Studio</h1>
        <p data-testid="adapter">{status.kind === 'ready' ? `GPU: ${status.adapter}` : 'Looking for a WebGPU adapter…'}</p>
      </header>
      <SelfCheckPanel />
    </main>
  );
}
