/**
 * Aggregates a trace into per-medium numbers: what `hpss trace summary` prints and what
 * tests compare with brz's own `-Dhpss` count. Pure: events in, numbers out. The counters
 * are counted as the UI counts them (`shared/medium-counters.ts`).
 */
import { CallJoiner, VerbStatsBuilder, type VerbStats } from '../../shared/call-stats';
import type { EngineEvent, MediumKind, MediumRole } from '../../shared/events';
import { countedMediumIds, countMediumEvent, emptyCounters, type MediumCounters } from '../../shared/medium-counters';
import type { TraceSession } from '../../shared/trace-format';

export interface MediumSummary extends MediumCounters {
  /** Which recording in the file (1-based); ids restart with each recording. */
  recording: number;
  mediumId: string;
  kind: MediumKind | null;
  role: MediumRole | null;
  peer: string | null;
  ownerId: string | null;
  /** Why the medium closed, or null when the trace ends with it open. */
  closed: string | null;
  /** Calls per verb. */
  verbs: Record<string, number>;
  /** Its connection set-up (a client connection the engine made): how long, and why it failed. */
  setup: { totalMs: number; ok: boolean; reason: string | null } | null;
}

export interface TraceSummary {
  recordings: number;
  events: number;
  mediums: MediumSummary[];
  /** Calls per verb, each call once (a relayed call is not counted again for its upstream). */
  verbs: Record<string, number>;
  /** Finished calls per verb: error answers, failures (as the UI judges them), p50/p95 duration, bytes. */
  verbStats: VerbStats[];
  /** Failed calls by verb and result (`BzrDir.open_2.1 → S no`), with how many. */
  failures: { call: string; meaning: string | null; count: number }[];
}

export function summarizeTrace(sessions: TraceSession[]): TraceSummary {
  const mediums: MediumSummary[] = [];
  const verbs: Record<string, number> = {};
  let events = 0;
  const stats = new VerbStatsBuilder();
  const failures = new Map<string, { call: string; meaning: string | null; count: number }>();
  sessions.forEach((session, index) => {
    // Ids restart with each recording: one joiner per recording.
    const joiner = new CallJoiner();
    for (const e of session.events) {
      const c = joiner.add(e);
      if (!c) continue;
      stats.add({ ...c, severity: c.outcome.severity });
      if (c.outcome.severity !== 'fail') continue;
      const call = `${c.verb} → ${c.outcome.result}`;
      const entry = failures.get(call) ?? { call, meaning: c.outcome.meaning ?? null, count: 0 };
      entry.count++;
      failures.set(call, entry);
    }
    mediums.push(...summarizeEvents(session.events, index + 1));
    for (const e of session.events) if (e.type === 'call-started') verbs[e.verb] = (verbs[e.verb] ?? 0) + 1;
    events += session.events.length;
  });
  return { recordings: sessions.length, events, mediums, verbs, verbStats: stats.build(), failures: [...failures.values()] };
}

/** Per-medium numbers for one recording, in order of first appearance. */
export function summarizeEvents(events: readonly EngineEvent[], recording = 1): MediumSummary[] {
  const byId = new Map<string, MediumSummary>();
  const medium = (id: string): MediumSummary => {
    let m = byId.get(id);
    if (!m) {
      m = emptySummary(recording, id);
      byId.set(id, m);
    }
    return m;
  };
  for (const event of events) {
    switch (event.type) {
      case 'medium-opened': {
        const m = medium(event.mediumId);
        m.kind = event.kind;
        m.role = event.role;
        m.peer = event.peer;
        m.ownerId = event.ownerId ?? null;
        break;
      }
      case 'medium-closed':
        medium(event.mediumId).closed = event.reason;
        break;
      case 'call-started': {
        for (const id of countedMediumIds(event)) {
          const m = medium(id);
          countMediumEvent(m, event);
          m.verbs[event.verb] = (m.verbs[event.verb] ?? 0) + 1;
        }
        break;
      }
      case 'bytes':
      case 'timeout':
        countMediumEvent(medium(event.mediumId), event);
        break;
      case 'error':
        if (event.mediumId !== undefined) countMediumEvent(medium(event.mediumId), event);
        break;
      case 'connection-setup': {
        const m = medium(event.mediumId);
        m.kind ??= event.kind;
        m.peer ??= event.target;
        m.setup = { totalMs: event.totalMs, ok: event.ok, reason: event.reason ?? null };
        // A set-up that failed never opened a medium: it did not stay open either.
        if (!event.ok) m.closed ??= `set-up failed: ${event.reason ?? 'no reason given'}`;
        break;
      }
      case 'call-finished':
      case 'policy-action':
      case 'listener':
      case 'probe-step':
      case 'probe-verdict':
        break;
      default:
        ignoreNewerEvent(event);
    }
  }
  return [...byId.values()];
}

function emptySummary(recording: number, mediumId: string): MediumSummary {
  return {
    recording,
    mediumId,
    kind: null,
    role: null,
    peer: null,
    ownerId: null,
    ...emptyCounters(),
    closed: null,
    verbs: {},
    setup: null,
  };
}

/** Exhaustive at compile time; a trace from a newer version may hold types we skip. */
function ignoreNewerEvent(_event: never): void {}
