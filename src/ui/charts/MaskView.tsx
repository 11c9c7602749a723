import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { LinearName } from '../../model/spec';
import { refreshMask } from '../../store/actions';
import { linearsOfFamily } from '../../store/linears';
import { modelStore } from '../../store/modelStore';
import { uiStore } from '../../store/uiStore';
import { fmtPct } from '../format';
import { ChartCard } from './ChartCard';

/** One linear's zero pattern as an image: a pixel per weight, rows = outputs, columns = inputs. */
export function MaskView() {
  const mask = useStore(uiStore, (s) => s.mask);
  const err = useStore(uiStore, (s) => s.maskError);
  const nBlocks = useStore(modelStore, (s) => s.card?.spec.nLayers ?? 0);
  // The mask comes from the loaded model: its linears (LLaMA's 7, GPT-2's 6) and their HF names.
  const linears = linearsOfFamily(useStore(modelStore, (s) => s.card?.spec.family));
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c || !mask) return;
    c.width = mask.cols;
    c.height = mask.rows;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(mask.cols, mask.rows);
    for (let i = 0; i < mask.pruned.length; i++) {
      const kept = mask.pruned[i] === 0;
      img.data[4 * i] = kept ? 14 : 243;
      img.data[4 * i + 1] = kept ? 116 : 244;
      img.data[4 * i + 2] = kept ? 144 : 246;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [mask]);
  const zeros = mask ? mask.pruned.reduce((a, v) => a + v, 0) / mask.pruned.length : 0;
  // Display size: keep pixels square, fit ~420 px on the long side.
  const scale = mask ? Math.max(1, Math.floor(420 / Math.max(mask.rows, mask.cols))) : 1;
  return (
    <ChartCard
      id="mask"
      testId="chart-mask"
      json={mask ? { block: mask.block, layer: mask.layer, rows: mask.rows, cols: mask.cols, zeros, fromRun: mask.fromRun } : null}
      title={mask ? `Mask — block ${mask.block} · ${linears.label(mask.layer)} (${mask.rows} × ${mask.cols})` : 'Mask'}
      help="Each pixel is one weight of the chosen layer (rows = output units, columns = inputs). Teal = kept, light = pruned (exactly zero). Row-wise BESA gives every row its own number of pruned weights, chosen by importance |w|·‖x‖."
    >
      <div className="mask-controls">
        <label title="Which decoder block.">
          block{' '}
          <select value={mask?.block ?? 0} onChange={(e) => void refreshMask(Number(e.target.value), mask?.layer)}>
            {Array.from({ length: nBlocks }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>{' '}
        <label title={`Which of the block's ${linears.names.length} linear layers.`}>
          layer{' '}
          <select
            data-testid="mask-layer"
            value={mask?.layer ?? 'q'}
            onChange={(e) => void refreshMask(mask?.block, e.target.value as LinearName)}
          >
            {linears.names.map((n) => (
              <option key={n} value={n}>
                {linears.label(n)}
              </option>
            ))}
          </select>
        </label>{' '}
        {mask && (
          <span className="muted small">
            {fmtPct(zeros, 2)} zeros ·{' '}
            {mask.fromRun ? (mask.fromRun === 'running' ? 'from the running job' : 'pruned') : 'dense (this block is not pruned)'}
          </span>
        )}
      </div>
      {err && <p className="error">{err}</p>}
      <canvas
        ref={canvas}
        className="mask-canvas"
        style={mask ? { width: mask.cols * scale, height: mask.rows * scale } : { display: 'none' }}
      />
    </ChartCard>
  );
}
