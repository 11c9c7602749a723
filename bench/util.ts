// Shared benchmark helpers: timing with warm-up, GFLOP/s, and table printing.
import type { GpuRuntime } from '../src/gpu/runtime';

export interface Timing {
  medianMs: number;
  minMs: number;
  reps: number;
}

/** Time fn (which records GPU work) from submit to completion; one warm-up run first (JIT). */
export async function timeGpu(rt: GpuRuntime, fn: () => void, reps: number): Promise<Timing> {
  fn();
  await rt.sync();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    await rt.sync();
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

export function timeCpu(fn: () => void, reps: number): Timing {
  fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

function summarize(times: number[]): Timing {
  const s = [...times].sort((a, b) => a - b);
  return { medianMs: s[Math.floor(s.length / 2)], minMs: s[0], reps: s.length };
}

export const gflops = (flop: number, ms: number): number => flop / (ms * 1e6);

export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmtNum(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i]).length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(headers));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of cells) console.log(line(r.map(String)));
}

function fmtNum(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
