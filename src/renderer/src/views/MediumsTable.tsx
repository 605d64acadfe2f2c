/**
 * Every connection with its live counters and how long it has been idle; clicking a row
 * follows it (the call list shows it and its proxy pair), clicking again shows all.
 */
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatCount } from '../lib/format';
import { useNow } from '../lib/use-now';
import { dispatch, useApp } from '../store/store';
import type { MediumRow } from '../store/types';
import { Badge } from './controls';

const MAX_ROWS = 200;

interface CounterColumn {
  heading: string;
  testId?: string;
  text: (m: MediumRow) => string | number;
  /** A tone class when the count is trouble. */
  tone?: (m: MediumRow) => string;
}

const COUNTERS: CounterColumn[] = [
  { heading: 'Calls', testId: 'medium-calls', text: (m) => formatCount(m.calls) },
  { heading: 'VFS', testId: 'medium-vfs', text: (m) => formatCount(m.vfsCalls) },
  { heading: 'Read', testId: 'medium-read', text: (m) => formatBytes(m.bytesRead) },
  { heading: 'Written', testId: 'medium-written', text: (m) => formatBytes(m.bytesWritten) },
  { heading: 'Timeouts', text: (m) => m.timeouts, tone: (m) => (m.timeouts ? 'warn' : '') },
  { heading: 'Errors', text: (m) => m.errors, tone: (m) => (m.errors ? 'bad' : '') },
];

function idleText(m: MediumRow, now: number): string {
  if (m.state !== 'open') return '';
  return `idle ${Math.max(0, Math.floor((now - m.lastActivityAt) / 1000))} s`;
}

function Row({ id, selected, now }: { id: string; selected: boolean; now: number }) {
  const m = useApp((s) => s.mediums.byId[id]) as MediumRow | undefined;
  if (!m) return null;
  const toggle = () => dispatch({ type: 'filters', filters: { mediumId: selected ? '' : id } });
  return (
    <tr className={selected ? 'selected' : ''} onClick={toggle} data-testid={`medium-${id}`}>
      <td>
        <code>{m.mediumId}</code>
      </td>
      <td>{m.kind}</td>
      <td>{m.ownerId ?? '—'}</td>
      <td>{m.pairId ? <code title="The other end of this proxied connection">{m.pairId}</code> : '—'}</td>
      <td className="peer" title={m.peer}>
        {m.peer}
      </td>
      <td>
        <Badge tone={m.state === 'open' ? 'ok' : 'muted'} title={m.closeReason}>
          {m.state}
        </Badge>
      </td>
      <td className="muted" data-testid="medium-idle">
        {idleText(m, now)}
      </td>
      {COUNTERS.map((c) => (
        <td key={c.heading} className={c.tone ? `num ${c.tone(m)}` : 'num'} data-testid={c.testId}>
          {c.text(m)}
        </td>
      ))}
    </tr>
  );
}

export function MediumsTable() {
  const ids = useApp(useShallow((s) => s.mediums.order.slice(0, MAX_ROWS)));
  const total = useApp((s) => s.mediums.order.length);
  const selected = useApp((s) => s.ui.filters.mediumId);
  const now = useNow(total > 0, 1000);
  if (total === 0) return <p className="empty empty-panel">No connections yet. Start a proxy or server and point brz at it, or send a call.</p>;
  return (
    <div className="table-wrap">
      <table className="table mediums" aria-label="Connections">
        <thead>
          <tr>
            <th>Medium</th>
            <th>Kind</th>
            <th>Owner</th>
            <th>Pair</th>
            <th>Peer</th>
            <th>State</th>
            <th>Idle</th>
            {COUNTERS.map((c) => (
              <th key={c.heading} className="num">
                {c.heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => (
            <Row key={id} id={id} selected={id === selected} now={now} />
          ))}
        </tbody>
      </table>
      {total > MAX_ROWS && <p className="muted table-foot">Newest {MAX_ROWS} of {total} connections shown.</p>}
    </div>
  );
}
