/** Every connection with its live counters; clicking a row filters the call list to it. */
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatCount } from '../lib/format';
import { dispatch, useApp } from '../store/store';
import type { MediumRow } from '../store/types';
import { Badge } from './controls';

const MAX_ROWS = 200;

function Row({ id, selected }: { id: string; selected: boolean }) {
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
      <td className="peer" title={m.peer}>
        {m.peer}
      </td>
      <td>
        <Badge tone={m.state === 'open' ? 'ok' : 'muted'} title={m.closeReason}>
          {m.state}
        </Badge>
      </td>
      <td className="num" data-testid="medium-calls">
        {formatCount(m.calls)}
      </td>
      <td className="num" data-testid="medium-vfs">
        {formatCount(m.vfsCalls)}
      </td>
      <td className="num" data-testid="medium-read">
        {formatBytes(m.bytesRead)}
      </td>
      <td className="num" data-testid="medium-written">
        {formatBytes(m.bytesWritten)}
      </td>
      <td className={`num ${m.timeouts ? 'warn' : ''}`}>{m.timeouts}</td>
      <td className={`num ${m.errors ? 'bad' : ''}`}>{m.errors}</td>
    </tr>
  );
}

export function MediumsTable() {
  const ids = useApp(useShallow((s) => s.mediums.order.slice(0, MAX_ROWS)));
  const total = useApp((s) => s.mediums.order.length);
  const selected = useApp((s) => s.ui.filters.mediumId);
  if (total === 0) return <p className="empty empty-panel">No connections yet. Start a proxy or server and point brz at it, or send a call.</p>;
  return (
    <div className="table-wrap">
      <table className="table mediums" aria-label="Connections">
        <thead>
          <tr>
            <th>Medium</th>
            <th>Kind</th>
            <th>Owner</th>
            <th>Peer</th>
            <th>State</th>
            <th className="num">Calls</th>
            <th className="num">VFS</th>
            <th className="num">Read</th>
            <th className="num">Written</th>
            <th className="num">Timeouts</th>
            <th className="num">Errors</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => (
            <Row key={id} id={id} selected={id === selected} />
          ))}
        </tbody>
      </table>
      {total > MAX_ROWS && <p className="muted table-foot">Newest {MAX_ROWS} of {total} connections shown.</p>}
    </div>
  );
}
