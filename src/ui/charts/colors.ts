import type { LinearName } from '../../model/spec';

/**
 * One colour per linear, the same in every chart: the Okabe–Ito palette, which stays distinguishable with the
 * common colour-vision deficiencies (attention: blues, green, purple; MLP: orange, vermillion, grey; its yellow
 * and black are left out: too faint on white, invisible on the dark theme).
 */
export const LAYER_COLORS: Record<LinearName, string> = {
  q: '#0072b2',
  k: '#56b4e9',
  v: '#009e73',
  o: '#cc79a7',
  gate: '#e69f00',
  up: '#d55e00',
  down: '#7f7f7f',
  // GPT-2's MLP linears take the colours of the LLaMA MLP linears they correspond to (c_fc ~ up, c_proj ~ down)
  fc: '#d55e00',
  proj: '#7f7f7f',
};

/** Series colours for several runs side by side (compare view), from the same palette. */
export const SERIES_COLORS = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#cc79a7', '#56b4e9', '#7f7f7f'];

/** Sparsity 0…1 → colour (white → deep teal), for the heatmap. */
export function sparsityColor(s: number): string {
  const t = Math.max(0, Math.min(1, s));
  const l = 96 - t * 66;
  return `hsl(186 70% ${l.toFixed(1)}%)`;
}
