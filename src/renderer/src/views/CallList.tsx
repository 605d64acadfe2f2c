/**
 * The call list, virtualized: only the rows in view (plus a few) are in the DOM, so
 * 100k calls scroll as smoothly as 100. Sticks to the newest call while scrolled to
 * the bottom. Keyboard: ↑/↓/PgUp/PgDn/Home/End move, Enter opens the detail.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatArgs, formatMs, formatTime } from '../lib/format';
import { filterCalls } from '../store/filters';
import { dispatch, useApp } from '../store/store';
import type { CallRecord } from '../store/types';
import { CallFilterBar } from './CallFilterBar';

export const ROW_HEIGHT = 26;
const OVERSCAN = 8;

function statusOf(c: CallRecord): { text: string; tone: string } {
  if (c.error) return { text: c.error.kind, tone: 'bad' };
  if (c.status === 'pending') return { text: '…', tone: 'muted' };
  // An error reply is a normal answer (e.g. NotStacked); failures above are the red ones.
  if (c.status === 'E') return { text: 'E reply', tone: 'warn' };
  if (c.status === 'S') return { text: 'ok', tone: 'ok' };
  return { text: '—', tone: 'muted' };
}

function CallRow({ c, top, active, selected, onPick }: { c: CallRecord; top: number; active: boolean; selected: boolean; onPick: () => void }) {
  const st = statusOf(c);
  return (
    <div
      id={`call-${c.callId}`}
      role="option"
      aria-selected={selected}
      className={`call-row${active ? ' active' : ''}${selected ? ' selected' : ''}${c.error ? ' is-error' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={onPick}
      data-testid="call-row"
      data-verb={c.verb}
    >
      <span className="c-time">{formatTime(c.startedAt)}</span>
      <span className="c-medium">{c.mediumId}</span>
      <span className="c-verb">
        {c.verb}
        {c.vfs && <span className="tag tag-vfs">VFS</span>}
        {c.policyActions && (
          <span className="tag tag-policy" title={c.policyActions.join('\n')}>
            policy
          </span>
        )}
      </span>
      <span className="c-args">{formatArgs(c.args)}</span>
      <span className={`c-status tone-${st.tone}`}>{st.text}</span>
      <span className="c-dur">{formatMs(c.durationMs)}</span>
    </div>
  );
}

export function CallList() {
  const list = useApp((s) => s.calls.list);
  const filters = useApp((s) => s.ui.filters);
  const selectedId = useApp((s) => s.ui.selectedCallId);
  const calls = useMemo(() => filterCalls(list, filters), [list, filters]);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [cursor, setCursor] = useState<string | null>(null);
  const follow = useRef(true);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const total = calls.length * ROW_HEIGHT;
  // Following the newest call, the view's top is known without asking the DOM (reading
  // scrollHeight here forced a layout every frame: a fifth of the time under load).
  const viewTop = follow.current ? Math.max(0, total - height) : scrollTop;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && follow.current) el.scrollTop = viewTop;
  }, [viewTop]);

  const cursorIndex = useMemo(() => (cursor === null ? -1 : calls.findIndex((c) => c.callId === cursor)), [calls, cursor]);

  const moveTo = (i: number) => {
    if (calls.length === 0) return;
    const idx = Math.max(0, Math.min(calls.length - 1, i));
    setCursor(calls[idx].callId);
    const el = scroller.current;
    if (!el) return;
    const top = idx * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  };

  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const at = cursorIndex < 0 ? calls.length : cursorIndex;
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: at + page, PageUp: at - page, Home: 0, End: calls.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      follow.current = false;
      moveTo(moves[e.key]);
    } else if (e.key === 'Enter' && cursor) {
      e.preventDefault();
      dispatch({ type: 'select-call', callId: cursor });
    } else if (e.key === 'Escape') {
      dispatch({ type: 'select-call', callId: null });
    }
  };

  const first = Math.max(0, Math.floor(viewTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(calls.length, Math.ceil((viewTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const c = calls[i];
    rows.push(
      <CallRow
        // Keyed by slot, not by call: scrolling reuses the row elements instead of remounting them.
        key={i % (last - first)}
        c={c}
        top={i * ROW_HEIGHT}
        active={c.callId === cursor}
        selected={c.callId === selectedId}
        onPick={() => {
          setCursor(c.callId);
          dispatch({ type: 'select-call', callId: c.callId });
        }}
      />,
    );
  }

  return (
    <div className="call-list">
      <CallFilterBar shown={calls.length} total={list.length} />
      <div className="call-head" aria-hidden="true">
        <span className="c-time">Time</span>
        <span className="c-medium">Medium</span>
        <span className="c-verb">Verb</span>
        <span className="c-args">Arguments</span>
        <span className="c-status">Status</span>
        <span className="c-dur">Duration</span>
      </div>
      <div
        ref={scroller}
        className="call-scroller"
        tabIndex={0}
        role="listbox"
        aria-label="Calls"
        aria-activedescendant={cursor && cursorIndex >= 0 ? `call-${cursor}` : undefined}
        onKeyDown={onKey}
        onScroll={(e) => {
          const top = e.currentTarget.scrollTop;
          follow.current = top + height >= total - ROW_HEIGHT;
          setScrollTop(top);
        }}
        data-testid="call-list"
      >
        <div className="call-spacer" style={{ height: calls.length * ROW_HEIGHT }}>
          {rows}
        </div>
        {calls.length === 0 && <p className="empty overlay">{list.length === 0 ? 'No calls yet.' : 'No call matches the filters.'}</p>}
      </div>
    </div>
  );
}
