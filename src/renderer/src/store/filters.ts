/** Which rows the call list shows: pure, so the store tests can check it directly. */
import { severityOf } from './calls-reducer';
import type { CallFilters, ListRow } from './types';

/** A row that made brz fail: a failing call, or a connection event that broke it. */
export function isFailure(r: ListRow): boolean {
  return r.row === 'call' ? severityOf(r) === 'fail' : r.severity === 'fail';
}

export function hasFilters(f: CallFilters): boolean {
  return f.verb !== '' || f.mediumId !== '' || f.vfsOnly || f.failuresOnly || f.search.trim() !== '';
}

function matchesSearch(r: ListRow, needle: string): boolean {
  if (r.row === 'conn') return r.text.toLowerCase().includes(needle) || r.mediumId === needle;
  if (r.verb.toLowerCase().includes(needle) || r.callId === needle || r.mediumId === needle) return true;
  return JSON.stringify(r.args).toLowerCase().includes(needle) || (r.responseArgs !== null && JSON.stringify(r.responseArgs).toLowerCase().includes(needle));
}

/** `mediumIds`: the connection filter, with its proxy pair when "follow connection" asked for both. */
export function rowMatches(r: ListRow, f: CallFilters, mediumIds: ReadonlySet<string> | null = null): boolean {
  if (mediumIds ? !mediumIds.has(r.mediumId) : f.mediumId && r.mediumId !== f.mediumId) return false;
  if (f.failuresOnly && !isFailure(r)) return false;
  if (r.row === 'conn') {
    // Connection events belong to no verb: they show unless a call-only filter is on.
    if (f.verb || f.vfsOnly) return false;
  } else {
    if (f.verb && r.verb !== f.verb) return false;
    if (f.vfsOnly && !r.vfs) return false;
  }
  const needle = f.search.trim().toLowerCase();
  return needle === '' || matchesSearch(r, needle);
}

/** The visible rows, oldest first. Returns the list itself when nothing filters. */
export function filterRows(list: ListRow[], f: CallFilters, mediumIds: ReadonlySet<string> | null = null): ListRow[] {
  return hasFilters(f) ? list.filter((r) => rowMatches(r, f, mediumIds)) : list;
}
