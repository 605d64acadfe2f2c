/** A draggable divider between two panes; the size it sets is kept in localStorage. */
import { useState, type PointerEvent as ReactPointerEvent } from 'react';

function stored(key: string, fallback: number): number {
  const v = Number(localStorage.getItem(key));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** The size (px) of the pane after the splitter, and the splitter's props. */
export function usePaneSize(key: string, fallback: number, min: number, max: number) {
  const [size, setSize] = useState(() => Math.min(max, Math.max(min, stored(key, fallback))));
  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startX = e.clientX;
    const start = size;
    const move = (ev: PointerEvent) => setSize(Math.min(max, Math.max(min, start - (ev.clientX - startX))));
    const up = (ev: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      localStorage.setItem(key, String(Math.min(max, Math.max(min, start - (ev.clientX - startX)))));
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return { size, onPointerDown };
}

export function Splitter({ onPointerDown, label }: { onPointerDown: (e: ReactPointerEvent<HTMLDivElement>) => void; label: string }) {
  return <div className="splitter" role="separator" aria-orientation="vertical" aria-label={label} onPointerDown={onPointerDown} data-testid="detail-splitter" />;
}
