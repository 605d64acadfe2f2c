/** Errors and notes: what failed, the engine's message, and what to try. */
import { useEffect, useRef } from 'react';
import { dispatch, useApp } from '../store/store';
import type { Notice } from '../store/types';

const INFO_MS = 5_000;

/** Dismisses each info notice INFO_MS after it appeared (one timer per notice, not reset by newer ones). */
function useInfoExpiry(notices: Notice[]): void {
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    for (const n of notices) {
      if (n.level === 'info' && !timers.current.has(n.id)) {
        timers.current.set(n.id, setTimeout(() => dispatch({ type: 'dismiss-notice', id: n.id }), INFO_MS));
      }
    }
  }, [notices]);
  useEffect(() => {
    const pending = timers.current;
    return () => {
      pending.forEach(clearTimeout);
      pending.clear();
    };
  }, []);
}

export function Notices() {
  const notices = useApp((s) => s.ui.notices);
  useInfoExpiry(notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} data-testid="notice">
          <div className="notice-text">
            <strong>{n.title}</strong>
            <div>{n.message}</div>
            {n.hint && <div className="notice-hint">{n.hint}</div>}
          </div>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => dispatch({ type: 'dismiss-notice', id: n.id })}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
