/**
 * A waterfall of the followed connection's calls (and its proxy pair's) on a shared time
 * axis: one bar per call from its start to its end, coloured by outcome, in two tones — our
 * side, then the peer's share (`peerMs`: the server, or a proxy's upstream) — and one bar
 * per connection set-up, a segment per phase. A pending call's bar runs to now. Shows the
 * newest MAX_BARS; built only while the tab is open.
 */
import { useEffect, useMemo, useState } from 'react';
import { formatMs, formatTime } from '../lib/format';
import { PHASE_LABEL } from '../../../shared/connection-setup-text';
import { useNow } from '../lib/use-now';
import { outcomeOf } from '../store/calls-reducer';
import { useApp } from '../store/store';
import type { CallRecord, ConnectionRow, ListRow } from '../store/types';

const MAX_BARS = 200;
const BAR = 18;
const LABEL = 220;
/** Room right of the bars for the last one's duration. */
const TAIL = 80;

type SetupRow = ConnectionRow & { setup: NonNullable<ConnectionRow['setup']> };
type Bar = CallRecord | SetupRow;

function isBar(r: ListRow): r is Bar {
  return r.row === 'call' || (r.event === 'setup' && r.setup !== undefined);
}

/** Where a call's bar starts: its duration back from its end (a client reports a call late), else its start. */
function callStart(c: CallRecord): number {
  return c.finishedAt !== null && c.durationMs !== null ? c.finishedAt - c.durationMs : c.startedAt;
}

function barStart(b: Bar): number {
  return b.row === 'conn' ? b.startedAt : callStart(b);
}

function barSpan(b: Bar, now: number): [number, number] {
  if (b.row === 'conn') return [b.startedAt, b.startedAt + b.setup.totalMs];
  return [callStart(b), b.finishedAt ?? now];
}

/** The bars' width: the pane's, as it resizes. */
function usePaneWidth(): [(el: HTMLDivElement | null) => void, number] {
  // A callback ref: the pane appears only once a connection is followed.
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, el.clientWidth - LABEL - TAIL - 24)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, width];
}

function CallBar({ c, x, end }: { c: CallRecord; x: (t: number) => number; end: number }) {
  const outcome = outcomeOf(c);
  const start = callStart(c);
  const total = c.durationMs ?? end - start;
  const peer = c.peerMs === undefined ? null : Math.min(Math.max(0, c.peerMs), total);
  const width = Math.max(2, x(end) - x(start));
  // The peer's share drawn last, at the end: the request goes out, then the peer answers.
  const peerWidth = peer === null || total <= 0 ? 0 : Math.min(width, (peer / total) * width);
  const title = `${c.verb}: ${formatMs(total)}${peer === null ? '' : ` — our side ${formatMs(total - peer)}, peer ${formatMs(peer)}`} · ${outcome.result}`;
  return (
    <g data-testid="wf-call">
      <title>{title}</title>
      <rect x={x(start)} y={3} width={width - peerWidth} height={BAR - 6} className={`wf-bar wf-${outcome.severity}`} data-testid="wf-ours" />
      {peerWidth > 0 && <rect x={x(start) + width - peerWidth} y={3} width={peerWidth} height={BAR - 6} className={`wf-bar wf-peer wf-${outcome.severity}`} data-testid="wf-peer" />}
    </g>
  );
}

function SetupBar({ s, x }: { s: SetupRow; x: (t: number) => number }) {
  let at = s.startedAt;
  return (
    <g data-testid="wf-setup" className={s.severity === 'fail' ? 'wf-setup-failed' : undefined}>
      <title>{s.text}</title>
      {s.setup.phases.map((p, i) => {
        const from = at;
        at += p.ms;
        return (
          <rect key={i} x={x(from)} y={3} width={Math.max(1, x(at) - x(from))} height={BAR - 6} className={`wf-bar wf-phase wf-phase-${i % 3}${p.ok ? '' : ' wf-fail'}`}>
            <title>{`${PHASE_LABEL[p.phase]} ${formatMs(p.ms)}`}</title>
          </rect>
        );
      })}
    </g>
  );
}

export function Waterfall() {
  const mediumId = useApp((s) => s.ui.filters.mediumId);
  const pairId = useApp((s) => (s.ui.filters.mediumId ? s.mediums.byId[s.ui.filters.mediumId]?.pairId : undefined));
  const list = useApp((s) => s.calls.list);
  const bars = useMemo(() => {
    if (!mediumId) return [];
    const out: Bar[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < MAX_BARS; i--) {
      const r = list[i];
      if ((r.mediumId === mediumId || r.mediumId === pairId) && isBar(r)) out.push(r);
    }
    // By start: a set-up is told when it ends, after the calls that waited for it began.
    return out.sort((a, b) => barStart(a) - barStart(b));
  }, [list, mediumId, pairId]);
  const now = useNow(bars.some((b) => b.row === 'call' && b.finishedAt === null), 500);
  const [pane, width] = usePaneWidth();
  if (!mediumId) return <p className="empty empty-panel">Follow a connection (select a call, then “Follow connection”, or click a connection above) to see its calls as a waterfall.</p>;
  if (bars.length === 0) return <p className="empty empty-panel">No calls on {mediumId} yet.</p>;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const b of bars) {
    const [from, to] = barSpan(b, now);
    t0 = Math.min(t0, from);
    t1 = Math.max(t1, to);
  }
  t1 = Math.max(t1, t0 + 1);
  const x = (t: number) => LABEL + ((t - t0) / (t1 - t0)) * width;
  const calls = bars.filter((b) => b.row === 'call').length;
  return (
    <div className="waterfall" data-testid="waterfall" ref={pane}>
      <div className="muted waterfall-head">
        {mediumId}
        {pairId && ` + ${pairId}`} · {calls} calls from {formatTime(t0)} over {formatMs(t1 - t0)}
        <span className="wf-legend" data-testid="wf-legend">
          <svg width={12} height={10} aria-hidden="true">
            <rect width={12} height={10} className="wf-bar wf-ok" />
          </svg>
          our side
          <svg width={12} height={10} aria-hidden="true">
            <rect width={12} height={10} className="wf-bar wf-peer wf-ok" />
          </svg>
          the peer (server or upstream)
          <svg width={12} height={10} aria-hidden="true">
            <rect width={12} height={10} className="wf-bar wf-phase wf-phase-0" />
          </svg>
          connection set-up
        </span>
      </div>
      <svg width={LABEL + width + TAIL} height={bars.length * BAR + 4} role="img" aria-label={`Waterfall of ${calls} calls`}>
        {bars.map((b, i) => {
          const [from, end] = barSpan(b, now);
          const label = b.row === 'call' ? b.verb : `set-up of ${b.mediumId}`;
          return (
            <g key={b.row === 'call' ? b.callId : b.rowId} transform={`translate(0, ${i * BAR})`}>
              <text x={4} y={13} className={`wf-label${b.mediumId === pairId ? ' wf-pair' : ''}${b.row === 'conn' ? ' wf-setup-label' : ''}`}>
                {label.length > 30 ? `${label.slice(0, 29)}…` : label}
              </text>
              {b.row === 'call' ? <CallBar c={b} x={x} end={end} /> : <SetupBar s={b} x={x} />}
              <text x={x(end) + 4} y={13} className="wf-ms">
                {formatMs(b.row === 'call' ? (b.durationMs ?? end - from) : b.setup.totalMs)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
