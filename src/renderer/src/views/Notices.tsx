/** Errors and notes: what failed, the engine's message, and what to try. */
import { useEffect } from 'react';
import { dispatch, useApp } from '../store/store';

const INFO_MS = 5_000;

export function Notices() {
  const notices = useApp((s) => s.ui.notices);
  useEffect(() => {
    const timers = notices.filter((n) => n.level === 'info').map((n) => setTimeout(() => dispatch({ type: 'dismiss-notice', id: n.id }), INFO_MS));
    return () => timers.forEach(clearTimeout);
  }, [notices]);
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
