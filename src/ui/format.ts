import { zipSync, type Zippable } from 'fflate';
// Small formatting helpers shared by the panels.
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const u = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${u[i]}`;
}

export const fmtPct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

export function fmtSeconds(s: number | undefined | null): string {
  if (s === undefined || s === null || !Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export const fmtInt = (n: number) => n.toLocaleString('en-US');

/** Save bytes/text as a file through a temporary link (the browser's download). */
export function download(name: string, data: Uint8Array | string | Blob, type = 'application/octet-stream'): void {
  const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * One .zip of a model folder: every file under `folder/`. Weights are stored uncompressed (pruned floats barely
 * compress, and deflating hundreds of MB would block the page); text files are deflated.
 */
export function zipFolder(folder: string, files: Record<string, Uint8Array>): Uint8Array {
  const entries = Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [`${folder}/${name}`, [bytes, { level: /\.(json|txt|md|ya?ml)$/.test(name) ? 6 : 0 }]]),
  ) as Zippable;
  return zipSync(entries);
}
