/** Per-verb statistics over the calls shown: count, failures, p50/p95 duration, bytes each way. Pure. */
import { outcomeOf } from './calls-reducer';
import type { CallRecord, ListRow } from './types';

export interface VerbStats {
  verb: string;
  count: number;
  failures: number;
  /** Over finished calls only; null when none finished. */
  p50Ms: number | null;
  p95Ms: number | null;
  requestBytes: number;
  responseBytes: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Busiest verbs first. */
export function verbStats(rows: readonly ListRow[]): VerbStats[] {
  const by = new Map<string, { calls: CallRecord[]; durations: number[] }>();
  for (const r of rows) {
    if (r.row !== 'call') continue;
    let entry = by.get(r.verb);
    if (!entry) by.set(r.verb, (entry = { calls: [], durations: [] }));
    entry.calls.push(r);
    if (r.durationMs !== null) entry.durations.push(r.durationMs);
  }
  const out: VerbStats[] = [];
  for (const [verb, { calls, durations }] of by) {
    durations.sort((a, b) => a - b);
    out.push({
      verb,
      count: calls.length,
      failures: calls.filter((c) => outcomeOf(c).severity === 'fail').length,
      p50Ms: percentile(durations, 50),
      p95Ms: percentile(durations, 95),
      requestBytes: calls.reduce((n, c) => n + (c.requestBytes ?? 0), 0),
      responseBytes: calls.reduce((n, c) => n + (c.responseBytes ?? 0), 0),
    });
  }
  return out.sort((a, b) => b.count - a.count || a.verb.localeCompare(b.verb));
}
