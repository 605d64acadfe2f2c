/** Per-verb statistics of the calls the filters show (computed on demand, not per frame). */
import { useMemo } from 'react';
import { formatBytes, formatCount, formatMs } from '../lib/format';
import { filterRows } from '../store/filters';
import { useApp } from '../store/store';
import { verbStats } from '../store/verb-stats';

export function VerbStatsTable() {
  const list = useApp((s) => s.calls.list);
  const filters = useApp((s) => s.ui.filters);
  const stats = useMemo(() => verbStats(filterRows(list, filters)), [list, filters]);
  if (stats.length === 0) return <p className="empty empty-panel">No calls to count yet.</p>;
  return (
    <div className="table-wrap stats-wrap">
      <table className="table" aria-label="Per-verb statistics" data-testid="verb-stats">
        <thead>
          <tr>
            <th>Verb</th>
            <th className="num">Calls</th>
            <th className="num" title="Answers with status E, expected ones included">Error answers</th>
            <th className="num">Failures</th>
            <th className="num">p50</th>
            <th className="num">p95</th>
            <th className="num" title="The peer's part of these calls' time (the server, or a proxy's upstream); the rest is on our side">
              Peer's share
            </th>
            <th className="num">Request bytes</th>
            <th className="num">Response bytes</th>
          </tr>
        </thead>
        <tbody>
          {stats.map((v) => (
            <tr key={v.verb} data-verb={v.verb}>
              <td>
                <code>{v.verb}</code>
              </td>
              <td className="num">{formatCount(v.count)}</td>
              <td className="num">{v.errorAnswers}</td>
              <td className={`num${v.failures ? ' bad' : ''}`}>{v.failures}</td>
              <td className="num">{formatMs(v.p50Ms)}</td>
              <td className="num">{formatMs(v.p95Ms)}</td>
              <td className="num">{v.peerShare === null ? '—' : `${Math.round(v.peerShare * 100)} %`}</td>
              <td className="num">{formatBytes(v.requestBytes)}</td>
              <td className="num">{formatBytes(v.responseBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
