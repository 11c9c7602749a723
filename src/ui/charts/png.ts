// Chart → PNG that stands alone (issue #14): a header with the chart's title and the run it shows (model,
// method, sparsity, run id), the chart itself (its SVG from recharts serialised, or its canvas copied, or,
// for the HTML heatmap, drawn here from its data), and the legend, which recharts renders as HTML outside
// the SVG and a plain screenshot of the SVG would lose.
import { download } from '../format';
import { sparsityColor } from './colors';

export interface PngExtras {
  /** The run the chart shows, e.g. "micro · besa · target 0.5 · run besa-…". */
  runLabel: string;
  /** The heatmap's cells (blocks × layers, null for an unpruned block) and its column names. */
  heatmap?: { cells: (number[] | null)[]; columns: readonly string[] };
}

const SCALE = 2;
const HEAD = 44; // header height in CSS px: title + run label

/** The chart's SVG (the largest in the card: legend icons are small SVGs too). */
function mainSvg(container: HTMLElement): SVGSVGElement | null {
  let svg: SVGSVGElement | null = null;
  let best = 0;
  for (const el of container.querySelectorAll('svg')) {
    const r = el.getBoundingClientRect();
    if (r.width * r.height > best) [best, svg] = [r.width * r.height, el];
  }
  return svg;
}

/** recharts' HTML legend: label and colour of each entry. */
function legendOf(container: HTMLElement): { text: string; color: string }[] {
  return [...container.querySelectorAll<HTMLElement>('.recharts-legend-item')].map((item) => {
    const text = item.querySelector<HTMLElement>('.recharts-legend-item-text');
    const icon = item.querySelector('path, line, rect');
    const color = text?.style.color || icon?.getAttribute('fill') || icon?.getAttribute('stroke') || '#111';
    return { text: text?.textContent ?? '', color };
  });
}

async function drawSvg(ctx: CanvasRenderingContext2D, svg: SVGSVGElement, font: string, y: number, w: number, h: number) {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.style.fontFamily = font;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart SVG could not be rendered to an image'));
      img.src = url;
    });
    ctx.drawImage(img, 0, y, w, h);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Blocks × layers as coloured cells with their values, and a 0–100 % colour scale under them. */
function drawHeatmap(ctx: CanvasRenderingContext2D, hm: NonNullable<PngExtras['heatmap']>, y: number, w: number): number {
  const label = 40;
  const cw = (w - label - 8) / hm.columns.length;
  const ch = 22;
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  hm.columns.forEach((c, j) => {
    ctx.fillStyle = '#374151';
    ctx.fillText(c, label + (j + 0.5) * cw, y + ch / 2, cw - 4); // squeezed, not overlapping, when long (GPT-2's mlp.c_proj)
  });
  hm.cells.forEach((row, i) => {
    const top = y + (i + 1) * ch;
    ctx.fillStyle = '#374151';
    ctx.fillText(String(i), label / 2, top + ch / 2);
    hm.columns.forEach((_, j) => {
      const v = row?.[j];
      ctx.fillStyle = v === undefined ? '#f3f4f6' : sparsityColor(v);
      ctx.fillRect(label + j * cw + 1, top + 1, cw - 2, ch - 2);
      if (v !== undefined) {
        ctx.fillStyle = v > 0.55 ? '#fff' : '#111';
        ctx.fillText((v * 100).toFixed(1), label + (j + 0.5) * cw, top + ch / 2);
      }
    });
  });
  const sy = y + (hm.cells.length + 1) * ch + 10;
  const grad = ctx.createLinearGradient(label, 0, label + 160, 0);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) grad.addColorStop(t, sparsityColor(t));
  ctx.fillStyle = grad;
  ctx.fillRect(label, sy, 160, 10);
  ctx.fillStyle = '#374151';
  ctx.textAlign = 'left';
  ctx.fillText('0 %', label, sy + 20);
  ctx.textAlign = 'right';
  ctx.fillText('100 % zeros', label + 160, sy + 20);
  return sy + 30 - y;
}

export async function saveChartPng(card: HTMLElement | null, name: string, extras: PngExtras): Promise<void> {
  const body = card?.querySelector<HTMLElement>('.chart-body') ?? card;
  if (!card || !body) return;
  const h3 = card.querySelector('h3')?.cloneNode(true) as HTMLElement | undefined;
  h3?.querySelectorAll('.q, .help-note').forEach((e) => e.remove()); // the help button and its text
  const title = (h3?.textContent ?? name).trim();
  const svg = mainSvg(body);
  const canvasEl = body.querySelector('canvas');
  const legend = legendOf(body);
  const w = Math.max(360, Math.round(body.getBoundingClientRect().width));
  const chartRect = (svg ?? canvasEl)?.getBoundingClientRect();
  const chartH = extras.heatmap ? 22 * (extras.heatmap.cells.length + 1) + 40 : Math.round(chartRect?.height ?? 0);
  const legendH = legend.length ? 22 : 0;
  const out = document.createElement('canvas');
  out.width = w * SCALE;
  out.height = (HEAD + chartH + legendH + 8) * SCALE;
  const ctx = out.getContext('2d')!;
  ctx.scale(SCALE, SCALE);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, HEAD + chartH + legendH + 8);
  ctx.fillStyle = '#111827';
  ctx.textBaseline = 'alphabetic';
  ctx.font = 'bold 14px sans-serif';
  ctx.fillText(title, 8, 18);
  ctx.fillStyle = '#6b7280';
  ctx.font = '11px sans-serif';
  ctx.fillText(extras.runLabel, 8, 36);
  if (extras.heatmap) drawHeatmap(ctx, extras.heatmap, HEAD, w);
  else if (svg && chartRect) await drawSvg(ctx, svg, getComputedStyle(card).fontFamily, HEAD, chartRect.width, chartRect.height);
  else if (canvasEl && chartRect) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(canvasEl, 0, HEAD, chartRect.width, chartRect.height);
  }
  let x = 8;
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const item of legend) {
    const ly = HEAD + chartH + 11;
    ctx.fillStyle = item.color;
    ctx.fillRect(x, ly - 4, 14, 8);
    ctx.fillStyle = '#374151';
    ctx.fillText(item.text, x + 18, ly);
    x += 26 + ctx.measureText(item.text).width;
  }
  const blob = await new Promise<Blob | null>((r) => out.toBlob(r, 'image/png'));
  if (blob) download(`${name}.png`, blob, 'image/png');
}
