/**
 * Call rate and throughput over the last two minutes: small SVG sparklines, one point
 * a second. Live, the window follows the clock (so the lines fall back to zero when
 * traffic stops); for a trace file it ends at the trace's last event.
 */
import { useEffect, useState } from 'react';
import { formatBytes, formatCount } from '../lib/format';
import { SERIES_SECONDS } from '../store/series-reducer';
import { useApp } from '../store/store';

const W = 240;
const H = 44;

/** The series re-based to end at `endSecond` (older buckets shift out, missing ones are zero). */
function windowEndingAt(values: number[], seriesEnd: number, endSecond: number): number[] {
  const shift = Math.max(0, endSecond - seriesEnd);
  if (shift === 0) return values;
  return [...values.slice(Math.min(shift, values.length)), ...new Array<number>(Math.min(shift, values.length)).fill(0)];
}

function useClockSecond(enabled: boolean): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(timer);
  }, [enabled]);
  return now;
}

function Sparkline({ values, live, label, unit, format }: { values: number[]; live: boolean; label: string; unit: string; format: (n: number) => string }) {
  // Live, the newest bucket is still filling: "now" is the last complete second.
  const complete = live ? values.slice(0, -1) : values;
  const max = Math.max(1, ...complete);
  const step = W / Math.max(1, complete.length - 1);
  const points = complete.map((v, i) => `${(i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`).join(' ');
  const now = complete.at(-1) ?? 0;
  return (
    <figure className="chart" aria-label={`${label}: ${format(now)}${unit}`}>
      <figcaption>
        <span className="chart-label">{label}</span>
        <span className="chart-value">
          {format(now)}
          <span className="muted">{unit}</span>
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-hidden="true">
        <polyline points={`0,${H} ${points} ${W},${H}`} className="chart-fill" />
        <polyline points={points} className="chart-line" />
      </svg>
      <div className="chart-scale muted">
        peak {format(max)}
        {unit} · last {SERIES_SECONDS / 60} min
      </div>
    </figure>
  );
}

export function Charts() {
  const calls = useApp((s) => s.series.calls);
  const bytes = useApp((s) => s.series.bytes);
  const seriesEnd = useApp((s) => s.series.endSecond);
  const live = useApp((s) => s.ui.traceFile === null);
  const clock = useClockSecond(live);
  const end = live ? Math.max(clock, seriesEnd) : seriesEnd;
  return (
    <div className="charts">
      <Sparkline live={live} values={windowEndingAt(calls, seriesEnd, end)} label="Call rate" unit=" calls/s" format={formatCount} />
      <Sparkline live={live} values={windowEndingAt(bytes, seriesEnd, end)} label="Throughput" unit="/s" format={formatBytes} />
    </div>
  );
}
