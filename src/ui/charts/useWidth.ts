// The width of a chart's box, followed with a ResizeObserver, for the charts drawn as plain SVG.
import { useEffect, useRef, useState } from 'react';

/** [ref for the box, its width in px (at least 320; `fallback` until measured)]. */
export function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(Math.max(320, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w] as const;
}
