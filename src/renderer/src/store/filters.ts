/** Which calls the call list shows: pure, so the store tests can check it directly. */
import type { CallFilters, CallRecord } from './types';

export function isError(c: CallRecord): boolean {
  return c.status === 'E' || c.error !== undefined;
}

export function hasFilters(f: CallFilters): boolean {
  return f.verb !== '' || f.mediumId !== '' || f.vfsOnly || f.errorsOnly || f.search.trim() !== '';
}

function matchesSearch(c: CallRecord, needle: string): boolean {
  if (c.verb.toLowerCase().includes(needle) || c.callId === needle || c.mediumId === needle) return true;
  return JSON.stringify(c.args).toLowerCase().includes(needle) || (c.responseArgs !== null && JSON.stringify(c.responseArgs).toLowerCase().includes(needle));
}

export function callMatches(c: CallRecord, f: CallFilters): boolean {
  if (f.verb && c.verb !== f.verb) return false;
  if (f.mediumId && c.mediumId !== f.mediumId) return false;
  if (f.vfsOnly && !c.vfs) return false;
  if (f.errorsOnly && !isError(c)) return false;
  const needle = f.search.trim().toLowerCase();
  return needle === '' || matchesSearch(c, needle);
}

/** The visible calls, oldest first. Returns the list itself when nothing filters. */
export function filterCalls(list: CallRecord[], f: CallFilters): CallRecord[] {
  return hasFilters(f) ? list.filter((c) => callMatches(c, f)) : list;
}
