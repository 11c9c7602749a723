// Chart → PNG: serialise the chart's SVG (recharts) or copy its canvas, paint on a white canvas.
import { download } from '../format';

export async function saveChartPng(container: HTMLElement | null, name: string): Promise<void> {
  if (!container) return;
  const canvasEl = container.querySelector('canvas');
  // The chart is the largest SVG in the card (legend icons are small SVGs too).
  let svg: SVGSVGElement | null = null;
  let best = 0;
  for (const el of container.querySelectorAll('svg')) {
    const r = el.getBoundingClientRect();
    if (r.width * r.height > best) {
      best = r.width * r.height;
      svg = el;
    }
  }
  const rect = (svg ?? canvasEl ?? container).getBoundingClientRect();
  const scale = 2;
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round(rect.width * scale));
  out.height = Math.max(1, Math.round(rect.height * scale));
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  if (svg) {
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.style.fontFamily = getComputedStyle(container).fontFamily;
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    clone.setAttribute('width', String(rect.width));
    clone.setAttribute('height', String(rect.height));
    const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
    try {
      const img = new Image();
      await new Promise<void>((resolve, reject) => {
        img.onload = () => resolve();
        img.onerror = () => reject(new Error('the chart SVG could not be rendered to an image'));
        img.src = url;
      });
      ctx.drawImage(img, 0, 0, out.width, out.height);
    } finally {
      URL.revokeObjectURL(url);
    }
  } else if (canvasEl) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(canvasEl, 0, 0, out.width, out.height);
  }
  const blob = await new Promise<Blob | null>((r) => out.toBlob(r, 'image/png'));
  if (blob) download(`${name}.png`, blob, 'image/png');
}
