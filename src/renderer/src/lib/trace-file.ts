/**
 * Trace files in the browser: parse (JSON Lines, a header line per recording, then one
 * EngineEvent a line — the recorder's format) and serialize what the UI holds.
 * Several recordings in one file restart `seq` and ids, so they are renumbered and
 * their ids prefixed (`r1.m3`): unique in one view, and never a live engine's id. "Open…"
 * also takes packet captures and brz -Dhpss logs (imported by the pure `shared/interchange`
 * code), and "Export…" writes a pcapng for Wireshark.
 */
import type { EngineEvent } from '../../../shared/events';
import { CaptureImporter, captureFormatOf, exportPcapng, importBrzLog, isBrzLog, type PcapngExport } from '../../../shared/interchange';

// The recorder's header line (src/main/trace/trace-format.ts, which the web build cannot
// import); tests/renderer/trace-file.test.ts reads our output with the recorder's parser.
const TRACE_FORMAT = 'hpss-trace';
const TRACE_VERSION = 1;

function isTraceHeader(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === TRACE_FORMAT && typeof (v as { version?: unknown }).version === 'number';
}

export interface ParsedTrace {
  events: EngineEvent[];
  recordings: number;
  skippedLines: number;
  /** What an import could not decode (empty for trace files). */
  problems?: string[];
  /** What the file was, when not a trace: `pcap`, `pcapng` or `brz log`. */
  importedFrom?: string;
}

export class TraceParseError extends Error {}

const ID_FIELDS = ['mediumId', 'callId', 'ownerId', 'probeId'] as const;

function isEvent(v: unknown): v is EngineEvent {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { seq?: unknown }).seq === 'number';
}

export function parseTraceText(text: string): ParsedTrace {
  const events: EngineEvent[] = [];
  let recordings = 0;
  let skippedLines = 0;
  let seq = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A torn line is where a writer was killed; anything else is not a trace.
      if (recordings === 0) throw new TraceParseError(`line ${i + 1} is not JSON: this is not an hpss trace file`);
      skippedLines++;
      continue;
    }
    if (isTraceHeader(value)) {
      recordings++;
      continue;
    }
    if (recordings === 0) throw new TraceParseError('no header line: this is not an hpss trace file (save one from the app or record with --trace)');
    if (!isEvent(value)) {
      skippedLines++;
      continue;
    }
    const event = { ...value, seq: ++seq } as Record<string, unknown>;
    for (const f of ID_FIELDS) if (typeof event[f] === 'string') event[f] = `r${recordings}.${event[f] as string}`;
    events.push(event as unknown as EngineEvent);
  }
  if (recordings === 0) throw new TraceParseError('the file is empty');
  return { events, recordings, skippedLines };
}

export function serializeTrace(events: EngineEvent[], now = new Date()): string {
  const header = { format: TRACE_FORMAT, version: TRACE_VERSION, started: now.toISOString(), pid: 0, meta: { source: 'hpss-inspector-ui' } };
  const lines = [JSON.stringify(header)];
  for (const e of events) lines.push(JSON.stringify(e));
  return lines.join('\n') + '\n';
}

/** Any file "Open…" takes: a trace, a pcap/pcapng capture or a brz -Dhpss log, told apart by content. */
export function parseOpenedFile(bytes: Uint8Array): ParsedTrace {
  if (captureFormatOf(bytes.subarray(0, 4))) {
    const importer = new CaptureImporter();
    importer.feed(bytes);
    const r = importer.finish();
    return { events: r.events, recordings: 1, skippedLines: 0, problems: r.problems, importedFrom: r.format ?? 'capture' };
  }
  const text = new TextDecoder().decode(bytes);
  if (isBrzLog(text)) {
    const r = importBrzLog(text);
    return { events: r.events, recordings: 1, skippedLines: 0, problems: r.problems, importedFrom: 'brz log' };
  }
  return parseTraceText(text);
}

/** The calls of `events` (or only `callIds`) as a pcapng for Wireshark. */
export function tracePcapng(events: EngineEvent[], callIds?: ReadonlySet<string>): PcapngExport {
  return exportPcapng(events, { callIds, application: 'hpss-inspector-ui' });
}
