/** Call rate and throughput over the last two minutes: small SVG sparklines, one point a second. */
import { formatBytes } from '../lib/format';
import { useApp } from '../store/store';

const W = 240;
const H = 44;

function Sparkline({ values, label, unit, format }: { values: number[]; label: string; unit: string; format: (n: number) => string }) {
  // The newest bucket is still filling; show the last complete second as "now".
  const complete = values.slice(0, -1);
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
        {unit} · 2 min
      </div>
    </figure>
  );
}

export function Charts() {
  const calls = useApp((s) => s.series.calls);
  const bytes = useApp((s) => s.series.bytes);
  return (
    <div className="charts">
      <Sparkline values={calls} label="Call rate" unit=" calls/s" format={(n) => String(n)} />
      <Sparkline values={bytes} label="Throughput" unit="/s" format={formatBytes} />
    </div>
  );
}
