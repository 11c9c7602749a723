// The run store's per-row allocation slice (fed by 'rows' events, docs/besa.md §1.4): only the latest step and
// the block's first step per block are kept, never the history; a new block-start / run-start clears it.
// Plus the view's pure cell helpers (row order, sorting, binning of large linears, colour domain).
import type { LayerSparsity } from '../../../src/prune/events';
import { describe, expect, it } from 'vitest';
import { LINEAR_NAMES, type LinearName } from '../../../src/model/spec';
import type { EngineEvent } from '../../../src/prune/events';
import { STUDIO_DEFAULT } from '../../../src/store/configStore';
import { runStore } from '../../../src/store/runStore';
import { digitsFor, rowCells, scalePos, valueRange } from '../../../src/ui/charts/rowCells';

const rowsOf = (x: number, n = 3) =>
  Object.fromEntries(LINEAR_NAMES.map((l) => [l, new Float64Array(n).fill(x)])) as Record<LinearName, Float64Array>;
const ls = (x: number) => ({ q: x, k: x, v: x, o: x, gate: x, up: x, down: x }) as LayerSparsity;
const start: EngineEvent = {
  type: 'run-start',
  runId: 'r',
  config: STUDIO_DEFAULT,
  model: { name: 'm', sha256: 'h', nLayers: 2, params: 1 },
  adapter: 'cpu',
  startBlock: 0,
};

describe('run store: per-row allocation', () => {
  it('keeps only the latest rows per block plus its first step, and clears on block-start and run-start', () => {
    const s = runStore.getState();
    s.ingest(start);
    s.ingest({ type: 'block-start', block: 0, nBlocks: 2, totalSteps: 5 });
    const sent: Record<LinearName, Float64Array>[] = [];
    for (let step = 0; step < 5; step++) {
      const r = rowsOf(0.5 + step * 1e-3);
      sent.push(r);
      s.ingest({
        type: 'step',
        block: 0,
        step,
        totalSteps: 5,
        reconLoss: 1,
        penalty: 0,
        layerSparsity: ls(0.5 + step * 1e-3),
        blockSparsity: 0.5,
      });
      s.ingest({ type: 'rows', block: 0, step, rows: r });
    }
    let st = runStore.getState();
    expect(Object.keys(st.rowAlloc)).toEqual(['0']);
    const b0 = st.rowAlloc[0];
    expect(b0.step).toBe(4);
    expect(b0.rows).toBe(sent[4]); // the latest vector, as sent
    expect(b0.firstStep).toBe(0);
    expect(b0.first).toBe(sent[0]);
    // nothing else of the history is referenced by the slice
    const kept = new Set(Object.values(b0).flatMap((v) => (typeof v === 'object' ? Object.values(v) : [])));
    for (const r of sent.slice(1, 4)) for (const n of LINEAR_NAMES) expect(kept.has(r[n])).toBe(false);
    expect(st.eventCounts.rows).toBe(5);

    // block 1 gets its own entry; block 0's stays
    s.ingest({ type: 'block-start', block: 1, nBlocks: 2, totalSteps: 5 });
    s.ingest({ type: 'rows', block: 1, step: 0, rows: rowsOf(0.5, 4) });
    st = runStore.getState();
    expect(st.rowAlloc[0].step).toBe(4);
    expect(st.rowAlloc[1].rows.q.length).toBe(4);
    // the rows slice changing leaves the block series untouched (charts on `blocks` do not re-render)
    const blocksBefore = st.blocks;
    s.ingest({ type: 'rows', block: 1, step: 1, rows: rowsOf(0.51, 4) });
    expect(runStore.getState().blocks).toBe(blocksBefore);
    expect(runStore.getState().rowAlloc[1].first.q[0]).toBe(0.5);

    // a block that starts again (a new run's block) drops its old rows; a new run clears all
    s.ingest({ type: 'block-start', block: 0, nBlocks: 2, totalSteps: 5 });
    expect(Object.keys(runStore.getState().rowAlloc)).toEqual(['1']);
    s.ingest(start);
    expect(runStore.getState().rowAlloc).toEqual({});
  });
});

describe('row allocation cells', () => {
  it('unsorted keeps row r at position r; sorted is ascending and remembers the row; first step travels along', () => {
    const s = [0.52, 0.48, 0.5, 0.48];
    const f = [0.5, 0.5, 0.5, 0.49];
    expect(rowCells(s, f, false).map((c) => [c.rows, c.value, c.first])).toEqual([
      [[0], 0.52, 0.5],
      [[1], 0.48, 0.5],
      [[2], 0.5, 0.5],
      [[3], 0.48, 0.49],
    ]);
    expect(rowCells(s, f, true).map((c) => c.rows[0])).toEqual([1, 3, 2, 0]); // ties by row index
  });

  it('bins consecutive rows above maxCells, each cell the mean of its rows', () => {
    const n = 5003;
    const s = Float64Array.from({ length: n }, (_, i) => i / n);
    const cells = rowCells(s, s, false, 2048);
    expect(cells.length).toBe(Math.ceil(n / 3)); // ceil(5003/2048) = 3 rows per cell
    expect(cells[1].rows).toEqual([3, 4, 5]);
    expect(cells[1].value).toBeCloseTo(4 / n, 15);
    expect(cells.at(-1)!.rows).toEqual([5001, 5002]);
    expect(cells.reduce((a, c) => a + c.rows.length, 0)).toBe(n);
    expect(rowCells(s, s, false).length).toBe(Math.ceil(n / 3));
    expect(rowCells(s.subarray(0, 2048), s, false).length).toBe(2048); // default: one cell per row up to 2048
  });

  it('colour domain: min…max over all linears, a flat range maps to the middle, digits follow the spread', () => {
    expect(valueRange([[0.5, 0.5000002], [0.4999999]])).toEqual([0.4999999, 0.5000002]);
    expect(scalePos(0.5, 0.5, 0.5)).toBe(0.5);
    expect(scalePos(0.4999999, 0.4999999, 0.5000002)).toBe(0);
    expect(scalePos(0.7, 0.4, 0.6)).toBe(1);
    expect(digitsFor(0.4999999, 0.5000002)).toBe(8);
    expect(digitsFor(0.4, 0.6)).toBe(2);
  });
});
