/**
 * Per-verb statistics of finished calls (count, error answers, failures, p50/p95 duration,
 * the peer's share of the time, bytes each way), and `CallJoiner`, which joins a stream of engine events into finished
 * calls with their outcome. One home for both: the UI's statistics tab, `hpss trace
 * summary` and the lines `hpss serve`/`proxy` print. Pure.
 */
import { callOutcome, isAnsweringPolicy, type CallOutcome } from './call-outcome';
import type { EngineEvent, JsonValue } from './events';

export interface FinishedCall {
  callId: string;
  mediumId: string;
  verb: string;
  args: JsonValue[];
  status: 'S' | 'E' | null | 'pending';
  durationMs: number | null;
  /** The peer's part of `durationMs` (`call-finished.peerMs`), when known. */
  peerMs?: number;
  /** Whole messages on the wire (null: not recorded). */
  requestBytes: number | null;
  responseBytes: number | null;
  outcome: CallOutcome;
}

export interface VerbStats {
  verb: string;
  count: number;
  /** Answers with status E (expected ones included). */
  errorAnswers: number;
  /** Calls that made the client fail (`callOutcome` severity `fail`). */
  failures: number;
  p50Ms: number | null;
  p95Ms: number | null;
  /** The peer's share (0..1) of the time of the calls that tell it; null when none does. */
  peerShare: number | null;
  requestBytes: number;
  responseBytes: number;
}

/** Nearest-rank percentile of ascending values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Verbs counted one by one; past this many (a fuzzer's garbage verbs) the rest share one row. */
const MAX_VERBS = 500;
/** Durations kept per verb for the percentiles: the newest this many (a long run stays bounded). */
const MAX_DURATIONS = 10_000;
const OTHER_VERBS = '(other verbs)';

export class VerbStatsBuilder {
  private readonly byVerb = new Map<string, { stats: VerbStats; durations: number[]; next: number; peerMs: number; timedMs: number }>();

  add(c: Pick<FinishedCall, 'verb' | 'status' | 'durationMs' | 'peerMs' | 'requestBytes' | 'responseBytes'> & { severity: CallOutcome['severity'] }): void {
    const verb = this.byVerb.has(c.verb) || this.byVerb.size < MAX_VERBS ? c.verb : OTHER_VERBS;
    let entry = this.byVerb.get(verb);
    if (!entry) {
      entry = { stats: { verb, count: 0, errorAnswers: 0, failures: 0, p50Ms: null, p95Ms: null, peerShare: null, requestBytes: 0, responseBytes: 0 }, durations: [], next: 0, peerMs: 0, timedMs: 0 };
      this.byVerb.set(verb, entry);
    }
    const s = entry.stats;
    s.count++;
    if (c.status === 'E') s.errorAnswers++;
    if (c.severity === 'fail') s.failures++;
    s.requestBytes += c.requestBytes ?? 0;
    s.responseBytes += c.responseBytes ?? 0;
    if (c.durationMs === null || c.status === 'pending') return;
    if (c.peerMs !== undefined) {
      entry.peerMs += Math.min(c.peerMs, c.durationMs);
      entry.timedMs += c.durationMs;
    }
    if (entry.durations.length < MAX_DURATIONS) entry.durations.push(c.durationMs);
    else entry.durations[entry.next++ % MAX_DURATIONS] = c.durationMs;
  }

  /** Busiest verbs first. */
  build(): VerbStats[] {
    const out: VerbStats[] = [];
    for (const { stats, durations, peerMs, timedMs } of this.byVerb.values()) {
      const sorted = [...durations].sort((a, b) => a - b);
      out.push({ ...stats, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), peerShare: timedMs > 0 ? peerMs / timedMs : null });
    }
    return out.sort((a, b) => b.count - a.count || a.verb.localeCompare(b.verb));
  }
}

interface Started {
  mediumId: string;
  verb: string;
  args: JsonValue[];
  requestBytes: number | null;
  byPolicy: boolean;
}

/** Calls in flight are held until they finish; past this many, the oldest are forgotten (bounded memory). */
const MAX_IN_FLIGHT = 10_000;

/** Joins `call-started`, `policy-action` and `call-finished` into finished calls with their outcome. */
export class CallJoiner {
  private readonly inFlight = new Map<string, Started>();
  private readonly policed = new Set<string>();

  /** Feed every event; answers the call an event finished, else null. */
  add(e: EngineEvent): FinishedCall | null {
    switch (e.type) {
      case 'call-started':
        if (this.inFlight.size >= MAX_IN_FLIGHT) this.inFlight.delete(this.inFlight.keys().next().value as string);
        this.inFlight.set(e.callId, { mediumId: e.mediumId, verb: e.verb, args: e.args, requestBytes: e.raw?.length ?? null, byPolicy: this.policed.delete(e.callId) });
        return null;
      case 'policy-action': {
        if (e.callId === undefined || !isAnsweringPolicy(e.policy)) return null;
        const started = this.inFlight.get(e.callId);
        if (started) started.byPolicy = true;
        else if (this.policed.size < MAX_IN_FLIGHT) this.policed.add(e.callId);
        return null;
      }
      case 'call-finished': {
        const started = this.inFlight.get(e.callId);
        this.inFlight.delete(e.callId);
        const requestBytes = e.requestRaw?.length ?? started?.requestBytes ?? null;
        const outcome = callOutcome({ verb: e.verb, status: e.status, responseArgs: e.args, error: e.error, byPolicy: started?.byPolicy });
        return {
          callId: e.callId, mediumId: e.mediumId, verb: e.verb, args: started?.args ?? [], status: e.status, durationMs: e.durationMs,
          ...(e.peerMs !== undefined && { peerMs: e.peerMs }), requestBytes, responseBytes: e.raw?.length ?? null, outcome,
        };
      }
      default:
        return null;
    }
  }
}
