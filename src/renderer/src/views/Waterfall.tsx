/**
 * A waterfall of the followed connection's calls (and its proxy pair's): one bar per call
 * from its start to its end on a shared time axis, coloured by outcome; a pending call's
 * bar runs to now. Shows the newest MAX_BARS.
 */
import { useEffect, useMemo, useState } from 'react';
import { formatMs, formatTime } from '../lib/format';
import { useNow } from '../lib/use-now';
import { outcomeOf } from '../store/calls-reducer';
import { useApp } from '../store/store';
import type { CallRecord } from '../store/types';

const MAX_BARS = 200;
const BAR = 18;
const LABEL = 220;
/** Room right of the bars for the last one's duration. */
const TAIL = 80;

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

export function Waterfall() {
  const mediumId = useApp((s) => s.ui.filters.mediumId);
  const pairId = useApp((s) => (s.ui.filters.mediumId ? s.mediums.byId[s.ui.filters.mediumId]?.pairId : undefined));
  const list = useApp((s) => s.calls.list);
  const calls = useMemo(() => {
    if (!mediumId) return [];
    const out: CallRecord[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < MAX_BARS; i--) {
      const r = list[i];
      if (r.row === 'call' && (r.mediumId === mediumId || r.mediumId === pairId)) out.push(r);
    }
    return out.reverse();
  }, [list, mediumId, pairId]);
  const now = useNow(calls.some((c) => c.finishedAt === null), 500);
  const [pane, width] = usePaneWidth();
  if (!mediumId) return <p className="empty empty-panel">Follow a connection (select a call, then “Follow connection”, or click a connection above) to see its calls as a waterfall.</p>;
  if (calls.length === 0) return <p className="empty empty-panel">No calls on {mediumId} yet.</p>;
  const t0 = calls[0].startedAt;
  const t1 = Math.max(...calls.map((c) => c.finishedAt ?? now), t0 + 1);
  const x = (t: number) => LABEL + ((t - t0) / (t1 - t0)) * width;
  return (
    <div className="waterfall" data-testid="waterfall" ref={pane}>
      <div className="muted waterfall-head">
        {mediumId}
        {pairId && ` + ${pairId}`} · {calls.length} calls from {formatTime(t0)} over {formatMs(t1 - t0)}
      </div>
      <svg width={LABEL + width + TAIL} height={calls.length * BAR + 4} role="img" aria-label={`Waterfall of ${calls.length} calls`}>
        {calls.map((c, i) => {
          const sev = outcomeOf(c).severity;
          const end = c.finishedAt ?? now;
          return (
            <g key={c.callId} transform={`translate(0, ${i * BAR})`}>
              <text x={4} y={13} className={`wf-label${c.mediumId === pairId ? ' wf-pair' : ''}`}>
                {c.verb.length > 30 ? `${c.verb.slice(0, 29)}…` : c.verb}
              </text>
              <rect x={x(c.startedAt)} y={3} width={Math.max(2, x(end) - x(c.startedAt))} height={BAR - 6} className={`wf-bar wf-${sev}`}>
                <title>{`${c.verb}: ${formatMs(c.durationMs ?? end - c.startedAt)} · ${outcomeOf(c).result}`}</title>
              </rect>
              <text x={x(end) + 4} y={13} className="wf-ms">
                {formatMs(c.durationMs ?? end - c.startedAt)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
