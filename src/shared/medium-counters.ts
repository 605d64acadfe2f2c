/**
 * A medium's traffic counters, counted from its events: the same numbers for a trace's
 * summary (`hpss trace summary`) and the UI's mediums table. Pure: events in, numbers out.
 *
 * Calls are counted when they start (`call-started`), as Breezy's DebugCounter counts
 * requests when they are sent; a call cut off before its response still counts. A relayed
 * call counts on the client connection and on the upstream it went over (`countedMediumIds`).
 */
import type { EngineEvent } from './events';

export interface MediumCounters {
  calls: number;
  vfsCalls: number;
  bytesRead: number;
  bytesWritten: number;
  timeouts: number;
  errors: number;
}

export function emptyCounters(): MediumCounters {
  return { calls: 0, vfsCalls: 0, bytesRead: 0, bytesWritten: 0, timeouts: 0, errors: 0 };
}

/** Every medium an event counts for: its own, and for a relayed call the upstream it went over. */
export function countedMediumIds(event: EngineEvent): string[] {
  if (!('mediumId' in event) || event.mediumId === undefined) return [];
  if (event.type === 'call-started' && event.upstreamMediumId) return [event.mediumId, event.upstreamMediumId];
  return [event.mediumId];
}

/** Adds what one event of the medium's says to its counters (events that say nothing are ignored). */
export function countMediumEvent(counters: MediumCounters, event: EngineEvent): void {
  switch (event.type) {
    case 'bytes':
      if (event.direction === 'read') counters.bytesRead += event.count;
      else counters.bytesWritten += event.count;
      return;
    case 'call-started':
      counters.calls++;
      if (event.vfs) counters.vfsCalls++;
      return;
    case 'timeout':
      counters.timeouts++;
      return;
    case 'error':
      counters.errors++;
      return;
    default:
      return;
  }
}
