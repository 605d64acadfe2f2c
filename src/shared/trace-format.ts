/**
 * The trace file format: JSON Lines. The first line of each recording is a header
 * (`{"format":"hpss-trace","version":1,…}`); every other line is one EngineEvent.
 * A file may hold several recordings one after another (a recorder appends), each
 * starting with its own header; `seq` and ids restart with each recording. Pure: the
 * engine's reader, the CLI and the UI parse with this one parser and its torn-line rule.
 */
import type { EngineEvent } from './events';

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

export class TraceFormatError extends Error {
  readonly kind = 'protocol' as const;
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'TraceFormatError';
  }
}

export interface TraceContents {
  sessions: TraceSession[];
  /** 1-based line numbers of torn lines that were skipped. */
  tornLines: number[];
}

/**
 * A writer killed mid-line (or a full disk) can leave a torn line; it is skipped and
 * reported, never fatal. A line that is not JSON anywhere but at a recording's end means
 * the file is not a trace, and that is an error.
 */
export function parseTrace(text: string, file = '<trace>'): TraceContents {
  const lines = text.split('\n');
  const sessions: TraceSession[] = [];
  const tornLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // Torn lines only happen where a writer stopped: the last line, or the line
      // before a new recording's header (which starts on a fresh line).
      if (isLastNonEmpty(lines, i) || startsRecording(lines, i + 1)) {
        tornLines.push(i + 1);
        continue;
      }
      throw new TraceFormatError(file, i + 1, 'not a JSON line');
    }
    if (isTraceHeader(value)) {
      sessions.push({ header: value, events: [] });
      continue;
    }
    const current = sessions.at(-1);
    if (!current) throw new TraceFormatError(file, i + 1, 'not an hpss trace file (no header line)');
    if (!isEvent(value)) throw new TraceFormatError(file, i + 1, 'not an event');
    current.events.push(value);
  }
  if (sessions.length === 0) {
    throw new TraceFormatError(file, 1, lines.every((l) => l.trim() === '') ? 'the file is empty' : 'not an hpss trace file (no header line)');
  }
  return { sessions, tornLines };
}

function isEvent(value: unknown): value is EngineEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.seq === 'number';
}

function isLastNonEmpty(lines: string[], index: number): boolean {
  return lines.slice(index + 1).every((l) => l.trim() === '');
}

function startsRecording(lines: string[], index: number): boolean {
  const next = lines[index];
  if (next === undefined) return false;
  try {
    return isTraceHeader(JSON.parse(next));
  } catch {
    return false;
  }
}

const ID_FIELDS = ['mediumId', 'callId', 'ownerId', 'probeId', 'upstreamMediumId', 'parentMediumId'] as const;

/**
 * Every recording's events in one list, renumbered (`seq` from 1) and, when `prefixIds`,
 * with ids prefixed by their recording (`r1.m3`): ids restart with each recording, and a
 * trace shown beside a live engine must never share its ids.
 */
export function flattenRecordings(sessions: readonly TraceSession[], prefixIds: boolean): EngineEvent[] {
  const events: EngineEvent[] = [];
  let seq = 0;
  sessions.forEach((session, index) => {
    for (const e of session.events) {
      const copy = { ...e, seq: ++seq } as Record<string, unknown>;
      if (prefixIds) for (const f of ID_FIELDS) if (typeof copy[f] === 'string') copy[f] = `r${index + 1}.${copy[f] as string}`;
      events.push(copy as unknown as EngineEvent);
    }
  });
  return events;
}
