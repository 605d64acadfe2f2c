/**
 * A medium's traffic counters, counted from its events: the same numbers for a trace's
 * summary (`hpss trace summary`) and the UI's mediums table. Pure: events in, numbers out.
 *
 * Calls are counted when they start (`call-started`), as Breezy's DebugCounter counts
 * requests when they are sent; a call cut off before its response still counts.
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
