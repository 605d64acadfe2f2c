/**
 * The call list, virtualized: only the rows in view (plus a few) are in the DOM, so
 * 100k calls scroll as smoothly as 100. Sticks to the newest row while scrolled to the
 * bottom. Keyboard: ↑/↓/PgUp/PgDn/Home/End select and show at once, Escape closes.
 * Connection events (connect, disconnect with its reason, timeout, error, a policy's
 * cut) are rows between the calls. Filtering by a connection shows its proxy pair too.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { filterRows } from '../store/filters';
import { dispatch, useApp } from '../store/store';
import { type ListRow, rowKey } from '../store/types';
import { CallFilterBar } from './CallFilterBar';
import { CallRow, ROW_HEIGHT } from './CallRow';

const OVERSCAN = 8;

/** The filtered connection and its proxy pair, or null for all. */
function useFollowedMediums(): ReadonlySet<string> | null {
  const mediumId = useApp((s) => s.ui.filters.mediumId);
  const pairId = useApp((s) => (s.ui.filters.mediumId ? s.mediums.byId[s.ui.filters.mediumId]?.pairId : undefined));
  return useMemo(() => (mediumId ? new Set(pairId ? [mediumId, pairId] : [mediumId]) : null), [mediumId, pairId]);
}

export function CallList() {
  const list = useApp((s) => s.calls.list);
  const filters = useApp((s) => s.ui.filters);
  const selectedId = useApp((s) => s.ui.selectedCallId);
  const followed = useFollowedMediums();
  const rows = useMemo(() => filterRows(list, filters, followed), [list, filters, followed]);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const follow = useRef(true);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const total = rows.length * ROW_HEIGHT;
  // Following the newest row, the view's top is known without asking the DOM (reading
  // scrollHeight here forced a layout every frame: a fifth of the time under load).
  const viewTop = follow.current ? Math.max(0, total - height) : scrollTop;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && follow.current) el.scrollTop = viewTop;
  }, [viewTop]);

  const selectedIndex = useMemo(() => (selectedId === null ? -1 : rows.findIndex((r) => rowKey(r) === selectedId)), [rows, selectedId]);

  const moveTo = (i: number) => {
    if (rows.length === 0) return;
    const idx = Math.max(0, Math.min(rows.length - 1, i));
    dispatch({ type: 'select-call', callId: rowKey(rows[idx]) });
    const el = scroller.current;
    if (!el) return;
    const top = idx * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  };

  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const at = selectedIndex < 0 ? rows.length : selectedIndex;
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: at + page, PageUp: at - page, Home: 0, End: rows.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      follow.current = false;
      moveTo(moves[e.key]);
    } else if (e.key === 'Escape') {
      dispatch({ type: 'select-call', callId: null });
    }
  };

  const onPick = useCallback((r: ListRow) => dispatch({ type: 'select-call', callId: rowKey(r) }), []);

  const first = Math.max(0, Math.floor(viewTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((viewTop + height) / ROW_HEIGHT) + OVERSCAN);
  const shown = [];
  for (let i = first; i < last; i++) {
    const r = rows[i];
    const key = rowKey(r);
    shown.push(
      // Keyed by slot, not by row: scrolling reuses the row elements instead of remounting them.
      <CallRow key={i % (last - first)} r={r} top={i * ROW_HEIGHT} active={key === selectedId} selected={key === selectedId} onPick={onPick} />,
    );
  }
  const calls = useApp((s) => s.calls.callCount);
  const shownCalls = useMemo(() => (rows === list ? calls : rows.reduce((n, r) => (r.row === 'call' ? n + 1 : n), 0)), [rows, list, calls]);

  return (
    <div className="call-list">
      <CallFilterBar shown={shownCalls} total={calls} />
      <div className="call-head" aria-hidden="true">
        <span className="c-time">Time</span>
        <span className="c-medium">Conn</span>
        <span className="c-verb">Verb</span>
        <span className="c-args">Arguments</span>
        <span className="c-status">Result</span>
        <span className="c-size" title="Request size on the wire">Req</span>
        <span className="c-size" title="Response size on the wire">Resp</span>
        <span className="c-gap" title="Time since the previous call on the same connection started">Δ prev</span>
        <span className="c-dur">Duration</span>
      </div>
      <div
        ref={scroller}
        className="call-scroller"
        tabIndex={0}
        role="listbox"
        aria-label="Calls"
        aria-activedescendant={selectedId && selectedIndex >= 0 ? `row-${selectedId}` : undefined}
        onKeyDown={onKey}
        onScroll={(e) => {
          const top = e.currentTarget.scrollTop;
          follow.current = top + height >= total - ROW_HEIGHT;
          setScrollTop(top);
        }}
        data-testid="call-list"
      >
        <div className="call-spacer" style={{ height: total }}>
          {shown}
        </div>
        {rows.length === 0 && <p className="empty overlay">{list.length === 0 ? 'No calls yet.' : 'No call matches the filters.'}</p>}
      </div>
    </div>
  );
}
