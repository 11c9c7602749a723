import { useStore } from 'zustand';
import { gpuStore } from '../store/gpuStore';

/** The matmul self-check result (the e2e test reads data-testid="selfcheck"). */
export function SelfCheckPanel() {
  const result = useStore(gpuStore, (s) => s.selfCheck);
  const error = useStore(gpuStore, (s) => s.selfCheckError);
  const noGpu = useStore(gpuStore, (s) => s.status.kind === 'ready' && !s.status.caps);
  if (noGpu) return <p className="muted small">No WebGPU adapter here: the GPU self-check does not apply.</p>;
  if (error)
    return (
      <p data-testid="selfcheck" data-ok="false">
        GPU self-check failed: {error}
      </p>
    );
  if (!result) return <p data-testid="selfcheck-pending">Checking the GPU matmul kernel against the CPU reference…</p>;
  const worst = Math.max(...result.cases.map((c) => c.maxRelErr));
  return (
    <p data-testid="selfcheck" data-ok={String(result.ok)} data-json={JSON.stringify(result)}>
      GPU self-check {result.ok ? 'passed' : 'FAILED'}: tiled matmul vs CPU reference on {result.cases.length} shapes, max relative error{' '}
      {worst.toExponential(1)} ({result.seconds.toFixed(1)} s).
    </p>
  );
}
