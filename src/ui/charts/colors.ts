import type { LinearName } from '../../model/spec';

/** One colour per linear, the same in every chart (attention: cool, MLP: warm). */
export const LAYER_COLORS: Record<LinearName, string> = {
  q: '#2563eb',
  k: '#0891b2',
  v: '#7c3aed',
  o: '#4f46e5',
  gate: '#ea580c',
  up: '#d97706',
  down: '#dc2626',
};

/** Sparsity 0…1 → colour (white → deep teal), for the heatmap. */
export function sparsityColor(s: number): string {
  const t = Math.max(0, Math.min(1, s));
  const l = 96 - t * 66;
  return `hsl(186 70% ${l.toFixed(1)}%)`;
}
