/**
 * Reads a trace file back. A writer killed mid-line (or a full disk) can leave a torn
 * line; it is skipped and reported, never fatal. A line that is not JSON anywhere but
 * at a recording's end means the file is not a trace, and that is an error.
 */
import { readFileSync } from 'node:fs';
import type { EngineEvent } from '../../shared/events';
import { isTraceHeader, type TraceSession } from './trace-format';

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

export function readTrace(file: string): TraceContents {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TraceFormatError(file, 0, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseTrace(text, file);
}

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
    if (!current) throw new TraceFormatError(file, i + 1, 'not an hpss trace (no header line)');
    if (!isEvent(value)) throw new TraceFormatError(file, i + 1, 'not an event');
    current.events.push(value);
  }
  if (sessions.length === 0) throw new TraceFormatError(file, 1, 'not an hpss trace (no header line)');
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
