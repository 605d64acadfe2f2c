/** Filters of the call list: verb, connection, VFS only, failures only, free-text search. */
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount } from '../lib/format';
import { clearActivity } from '../lib/live';
import { dispatch, useApp } from '../store/store';
import type { CallFilters } from '../store/types';
import { Checkbox } from './controls';

export function CallFilterBar({ shown, total }: { shown: number; total: number }) {
  // `shown` and `total` count calls; connection rows are not counted.
  const filters = useApp((s) => s.ui.filters);
  const mediumIds = useApp(useShallow((s) => s.mediums.order.slice(0, 200)));
  const seen = useApp((s) => s.calls.verbs);
  const verbs = useMemo(() => (filters.verb && !seen.includes(filters.verb) ? [...seen, filters.verb].sort() : seen), [seen, filters.verb]);
  const set = (f: Partial<CallFilters>) => dispatch({ type: 'filters', filters: f });
  return (
    <div className="filter-bar" role="search">
      <input
        type="search"
        className="search"
        placeholder="Search verb, args, ids…"
        aria-label="Search calls"
        value={filters.search}
        onChange={(e) => set({ search: e.target.value })}
      />
      <select aria-label="Filter by verb" value={filters.verb} onChange={(e) => set({ verb: e.target.value })} data-testid="filter-verb">
        <option value="">All verbs</option>
        {verbs.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <select aria-label="Filter by connection" value={filters.mediumId} onChange={(e) => set({ mediumId: e.target.value })}>
        <option value="">All connections</option>
        {[...new Set([...mediumIds, ...(filters.mediumId ? [filters.mediumId] : [])])].map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      <Checkbox label="VFS only" checked={filters.vfsOnly} onChange={(v) => set({ vfsOnly: v })} />
      <Checkbox label="Failures only" checked={filters.failuresOnly} onChange={(v) => set({ failuresOnly: v })} />
      <button className="btn btn-plain btn-small" title="Forget the calls and connections shown (the engine keeps running)" onClick={clearActivity}>
        Clear
      </button>
      <span className="muted count" data-testid="call-count">
        {shown === total ? `${formatCount(total)} ${total === 1 ? 'call' : 'calls'}` : `${formatCount(shown)} of ${formatCount(total)} calls`}
      </span>
    </div>
  );
}
