/**
 * The trace file format: JSON Lines. The first line of each recording is a header
 * (`{"format":"hpss-trace","version":1,…}`); every other line is one EngineEvent.
 * A file may hold several recordings one after another (a recorder appends), each
 * starting with its own header; `seq` and ids restart with each recording.
 */
import type { EngineEvent } from '../../shared/events';

export const TRACE_FORMAT = 'hpss-trace';
export const TRACE_VERSION = 1;

export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** ISO time the recording started. */
  started: string;
  pid: number;
  /** Free-form context from the caller (command, listen address, …); never secrets. */
  meta?: Record<string, string | number | boolean>;
}

/** One recording inside a trace file. */
export interface TraceSession {
  header: TraceHeader;
  events: EngineEvent[];
}

export function isTraceHeader(value: unknown): value is TraceHeader {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.format === TRACE_FORMAT && typeof v.version === 'number';
}
