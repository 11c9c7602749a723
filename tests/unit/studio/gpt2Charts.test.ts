// The run view's charts drawn for a GPT-2 run and for a LLaMA run (server-rendered to HTML): the heatmap, the
// allocation bars, the sparsity lines, the row view and the mask picker show GPT-2's 6 linears under HF's names
// (c_attn.q … mlp.c_proj) and nothing of gate/up/down; a LLaMA run keeps its 7 short names and its test ids.
// zustand's useStore reads a store's initial state when rendering on the server, so here it reads the current one.
import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreApi } from 'zustand';
import { GPT2_LINEAR_NAMES, LINEAR_NAMES, type LinearName, type ModelSpec } from '../../../src/model/spec';
import type { EngineEvent, LayerSparsity } from '../../../src/prune/events';
import { STUDIO_DEFAULT } from '../../../src/store/configStore';
import { modelStore } from '../../../src/store/modelStore';
import { runStore } from '../../../src/store/runStore';
import { uiStore } from '../../../src/store/uiStore';
import type { ModelCard } from '../../../src/worker/protocol';
import { AllocationBars } from '../../../src/ui/charts/AllocationBars';
import { Heatmap } from '../../../src/ui/charts/Heatmap';
import { MaskView } from '../../../src/ui/charts/MaskView';
import { RowAllocation } from '../../../src/ui/charts/RowAllocation';
import { SparsityChart } from '../../../src/ui/charts/SparsityChart';

vi.mock('zustand', async (importOriginal) => {
  const z = await importOriginal<typeof import('zustand')>();
  const useStore = <S, U>(api: StoreApi<S>, selector: (s: S) => U = (s) => s as unknown as U) => selector(api.getState());
  return { ...z, useStore };
});

const GPT2_LABELS = ['c_attn.q', 'c_attn.k', 'c_attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'];
const html = (c: FunctionComponent) => renderToStaticMarkup(createElement(c));
/** The text of every element of `tag` with class `cls` (or any, without). */
/** The text of every <tag class=cls> element, nested markup (e.g. <wbr>, inner spans) stripped. */
function texts(h: string, tag: string, cls?: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<${tag}${cls ? `[^>]*class="${cls}"` : ''}[^>]*>`, 'g');
  for (const m of h.matchAll(open)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    const tags = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
    tags.lastIndex = i;
    for (let t = tags.exec(h); t; t = tags.exec(h)) {
      depth += t[1] ? -1 : 1;
      i = t.index;
      if (depth === 0) break;
    }
    out.push(h.slice(start, i).replace(/<[^>]*>/g, ''));
  }
  return out;
}

/** A finished 2-block BESA run keyed by `names`: block 0 with per-linear sparsities apart, block 1 at 0.5. */
function feed(names: readonly LinearName[]): void {
  const ls = (f: (i: number) => number) => Object.fromEntries(names.map((n, i) => [n, f(i)])) as LayerSparsity;
  const s = runStore.getState();
  const events: EngineEvent[] = [
    {
      type: 'run-start',
      runId: 'r',
      config: STUDIO_DEFAULT,
      model: { name: 'm', sha256: 'h', nLayers: 2, params: 1 },
      adapter: 'cpu',
      startBlock: 0,
    },
  ];
  for (const block of [0, 1]) {
    const at = (i: number) => (block === 0 ? 0.4 + i / 50 : 0.5);
    events.push({ type: 'block-start', block, nBlocks: 2, totalSteps: 2 });
    for (const step of [0, 1]) {
      events.push({ type: 'step', block, step, totalSteps: 2, reconLoss: 1, penalty: 0, layerSparsity: ls(at), blockSparsity: 0.5 });
      const rows = Object.fromEntries(names.map((n, i) => [n, new Float64Array(4).fill(at(i))])) as Record<LinearName, Float64Array>;
      events.push({ type: 'rows', block, step, rows });
    }
    events.push({
      type: 'block-end',
      block,
      layerSparsity: ls(at),
      blockSparsity: 0.5,
      lossBefore: 1,
      lossAfter: 1,
      seconds: 1,
      etaSeconds: 1,
    });
  }
  for (const e of events) s.ingest(e);
}

function card(family: ModelSpec['family']): ModelCard {
  const spec = { family, nLayers: 2, vocabSize: 384, dim: 48, ffnDim: 192, nHeads: 4, nKvHeads: 4, maxSeqLen: 64 } as ModelSpec;
  return { name: family, spec, params: 1, linearParams: 1, linearSparsity: 0 } as ModelCard;
}

beforeEach(() => {
  runStore.getState().clear(0);
  modelStore.getState().set({ card: null });
  uiStore.getState().set({ selectedBlock: null, mask: null });
});

describe('charts on a GPT-2 run', () => {
  it("the heatmap's columns are GPT-2's 6 under HF's names, its cells titled by them", () => {
    feed(GPT2_LINEAR_NAMES);
    const h = html(Heatmap);
    expect(texts(h, 'span', 'hm-head')).toEqual([...GPT2_LABELS, 'block']);
    expect(h).toContain('repeat(6, 1fr)');
    expect(h).toContain('data-testid="heat-row-0"');
    expect(h).toMatch(/title="block 0 mlp\.c_fc: [\d.]+\s?% zeros"/);
    expect(h).toMatch(/title="block 1 c_attn\.q: /);
    expect(h).not.toMatch(/\b(gate|up|down)\b/);
    const json = JSON.parse(/data-json="([^"]*)"/.exec(h)![1].replace(/&quot;/g, '"')) as { blocks: number[][] };
    expect(json.blocks[0]).toHaveLength(6);
    expect(json.blocks[0][4]).toBeCloseTo(0.4 + 4 / 50, 12); // fc, 5th column
  });

  it('the allocation bars are grouped by the GPT-2 names', () => {
    feed(GPT2_LINEAR_NAMES);
    const h = html(AllocationBars);
    const groups = texts(h, 'text').filter((t) => GPT2_LABELS.includes(t));
    expect(groups).toEqual(GPT2_LABELS);
    expect(h).toMatch(/<title>mlp\.c_proj · learned: [\d.]+%<\/title>/);
    expect(h).not.toMatch(/\b(gate|up|down)\b/);
  });

  it('the sparsity lines and the row strips name the 6 linears', () => {
    feed(GPT2_LINEAR_NAMES);
    const lines = html(SparsityChart);
    for (const l of GPT2_LABELS) expect(lines).toContain(`>${l}</text>`);
    expect(lines).toContain('expected sparsity of the 6 layers');
    expect(lines).not.toMatch(/>(gate|up|down)</);
    const rows = html(RowAllocation);
    for (const n of GPT2_LINEAR_NAMES) expect(rows).toContain(`data-testid="row-strip-${n}"`);
    for (const l of GPT2_LABELS) expect(rows).toContain(`>${l}</text>`);
    expect(rows).toContain('output row of the 6 linears');
    expect(rows).not.toMatch(/row-strip-(gate|up|down)/);
  });

  it("before any step the charts take the loaded model's linears; the mask picker lists the model's", () => {
    modelStore.getState().set({ card: card('gpt2') });
    runStore.getState().clear(2);
    expect(texts(html(Heatmap), 'span', 'hm-head')).toEqual([...GPT2_LABELS, 'block']);
    const mask = html(MaskView);
    const options = [...mask.matchAll(/<option value="([^"]+)"[^>]*>([^<]*)<\/option>/g)].filter((m) => !/^\d+$/.test(m[1]));
    expect(options.map((m) => [m[1], m[2]])).toEqual(GPT2_LINEAR_NAMES.map((n, i) => [n, GPT2_LABELS[i]]));
  });
});

describe('charts on a LLaMA run (unchanged)', () => {
  it('the 7 short names, in every chart', () => {
    feed(LINEAR_NAMES);
    const heat = html(Heatmap);
    expect(texts(heat, 'span', 'hm-head')).toEqual([...LINEAR_NAMES, 'block']);
    expect(heat).toContain('repeat(7, 1fr)');
    expect(heat).toMatch(/title="block 0 gate: /);
    expect(texts(html(AllocationBars), 'text').filter((t) => (LINEAR_NAMES as readonly string[]).includes(t))).toEqual([...LINEAR_NAMES]);
    const rows = html(RowAllocation);
    for (const n of LINEAR_NAMES) expect(rows).toContain(`data-testid="row-strip-${n}"`);
    expect(rows).toContain('output row of the 7 linears');
    expect(rows).not.toMatch(/c_attn|c_fc|c_proj/);
    modelStore.getState().set({ card: card('llama') });
    const options = [...html(MaskView).matchAll(/<option value="([^"]+)"[^>]*>([^<]*)<\/option>/g)].filter((m) => !/^\d+$/.test(m[1]));
    expect(options.map((m) => m[2])).toEqual([...LINEAR_NAMES]);
  });
});
