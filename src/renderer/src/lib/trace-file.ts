/**
 * Trace files in the browser: parse (JSON Lines, a header line per recording, then one
 * EngineEvent a line — the recorder's format) and serialize what the UI holds.
 * Several recordings in one file restart `seq` and ids, so they are renumbered and
 * their ids prefixed (`r1.m3`): unique in one view, and never a live engine's id. "Open…"
 * also takes packet captures and brz -Dhpss logs (imported by the pure `shared/interchange`
 * code), and "Export…" writes a pcapng for Wireshark.
 */
import type { EngineEvent } from '../../../shared/events';
import { flattenRecordings, parseTrace, TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from '../../../shared/trace-format';
import { CaptureImporter, captureFormatOf, exportPcapng, importBrzLog, isBrzLog, type PcapngExport } from '../../../shared/interchange';

export interface ParsedTrace {
  events: EngineEvent[];
  recordings: number;
  skippedLines: number;
  /** What an import could not decode (empty for trace files). */
  problems?: string[];
  /** What the file was, when not a trace: `pcap`, `pcapng` or `brz log`. */
  importedFrom?: string;
}

/** A file that is not a trace (the shared parser's error: line number and why). */
export { TraceFormatError as TraceParseError } from '../../../shared/trace-format';

/** A trace's text as events; ids always prefixed by recording (`r1.m3`), never a live id. */
export function parseTraceText(text: string): ParsedTrace {
  const { sessions, tornLines } = parseTrace(text, 'the file');
  return { events: flattenRecordings(sessions, true), recordings: sessions.length, skippedLines: tornLines.length };
}

export function serializeTrace(events: EngineEvent[], now = new Date()): string {
  const header: TraceHeader = { format: TRACE_FORMAT, version: TRACE_VERSION, started: now.toISOString(), pid: 0, meta: { source: 'hpss-inspector-ui' } };
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
