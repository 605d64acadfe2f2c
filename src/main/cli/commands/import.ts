/**
 * `hpss import FILE [--trace OUT] [--json]`: a packet capture (pcap, pcapng) or a brz log
 * written with -Dhpss, told apart by content, as trace events: into a new trace file
 * (`--trace`, which `hpss trace summary` and the app's "Open trace" read), as JSON, or as
 * the trace summary. What could not be decoded is printed to stderr, one line each, and
 * makes the exit status 1; what could be decoded is output all the same.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { EngineEvent } from '../../../shared/events';
import { CaptureImporter, captureFormatOf, importBrzLog, isBrzLog } from '../../../shared/interchange';
import { errorText } from '../args';
import { summarizeTrace } from '../../trace/summary';
import { writeTraceFile } from '../../trace/write-trace';
import { JSON_OPTION, optionsCommand } from './command';
import { formatSummary } from './trace';

const USAGE = 'import FILE [--trace OUT] [--json]';
const READ_CHUNK = 64 * 1024;
/** A brz log is read whole: logs of many runs stay far below this. */
const MAX_LOG_BYTES = 256 * 1024 * 1024;

interface Imported {
  source: 'pcap' | 'pcapng' | 'brz-log';
  events: EngineEvent[];
  problems: string[];
  detail: Record<string, number>;
}

/** Reads `file` in chunks, each handed to `take` (a view valid during the call). */
function readChunks(file: string, take: (chunk: Uint8Array) => void): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(READ_CHUNK);
  let total = 0;
  try {
    for (let n = readSync(fd, buf, 0, READ_CHUNK, null); n > 0; n = readSync(fd, buf, 0, READ_CHUNK, null)) {
      take(buf.subarray(0, n));
      total += n;
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

function firstBytes(file: string, count: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(count);
    return buf.subarray(0, readSync(fd, buf, 0, count, 0));
  } finally {
    closeSync(fd);
  }
}

function importFile(file: string): Imported | string {
  if (captureFormatOf(firstBytes(file, 4))) {
    const importer = new CaptureImporter();
    readChunks(file, (chunk) => importer.feed(chunk));
    const r = importer.finish();
    return {
      source: r.format ?? 'pcap',
      events: r.events,
      problems: r.problems,
      detail: { packets: r.packets, tcpConnections: r.tcpConnections, hpssConnections: r.hpssConnections },
    };
  }
  const parts: Buffer[] = [];
  const size = readChunks(file, (chunk) => {
    if (parts.length * READ_CHUNK <= MAX_LOG_BYTES) parts.push(Buffer.from(chunk));
  });
  if (size > MAX_LOG_BYTES) return `${file} is not a capture, and larger than a brz log may be (${MAX_LOG_BYTES} bytes)`;
  const text = Buffer.concat(parts).toString('utf8');
  if (!isBrzLog(text)) return `${file} is neither a pcap/pcapng capture nor a brz log with -Dhpss lines`;
  const r = importBrzLog(text);
  const reported = r.processes.reduce((n, p) => n + p.reported.reduce((m, x) => m + x.calls, 0), 0);
  return { source: 'brz-log', events: r.events, problems: r.problems, detail: { processes: r.processes.length, reportedCalls: reported } };
}

function callsOf(events: EngineEvent[]): unknown[] {
  const started = new Map<string, Extract<EngineEvent, { type: 'call-started' }>>();
  const calls: unknown[] = [];
  for (const e of events) {
    if (e.type === 'call-started') started.set(e.callId, e);
    if (e.type !== 'call-finished') continue;
    const s = started.get(e.callId);
    calls.push({
      callId: e.callId,
      mediumId: e.mediumId,
      t: s?.t ?? e.t,
      protocol: s?.protocol ?? null,
      verb: e.verb,
      args: s?.args ?? [],
      status: e.status,
      response: e.args,
      durationMs: e.durationMs,
      ...(e.error ? { error: e.error } : {}),
    });
  }
  return calls;
}

export const importCommand = optionsCommand({
  name: 'import',
  usage: USAGE,
  summary: 'read a pcap/pcapng capture (HPSS found on any port) or a brz -Dhpss log into a trace (--trace OUT) or print it',
  options: { ...JSON_OPTION, trace: { type: 'string' } },
  async run(parsed, usageMistake) {
    const [file, ...extra] = parsed.positionals;
    if (!file || extra.length > 0) return usageMistake();
    let imported: Imported | string;
    try {
      imported = importFile(file);
    } catch (err) {
      imported = `cannot read ${file}: ${errorText(err)}`;
    }
    if (typeof imported === 'string') {
      process.stderr.write(`hpss import: ${imported}\n`);
      return 1;
    }
    const { events, problems, source, detail } = imported;
    if (parsed.values.trace) {
      try {
        writeTraceFile(parsed.values.trace, events, { source: `hpss import (${source})`, file: basename(file) });
      } catch (err) {
        process.stderr.write(`hpss import: cannot write ${parsed.values.trace}: ${errorText(err)}\n`);
        return 1;
      }
    }
    const summary = summarizeTrace([{ header: { format: 'hpss-trace', version: 1, started: '', pid: 0 }, events }]);
    if (parsed.values.json) {
      process.stdout.write(JSON.stringify({ file, source, ...detail, problems, summary, calls: callsOf(events) }, null, 2) + '\n');
    } else if (!parsed.values.trace) {
      process.stdout.write(formatSummary(summary));
    } else {
      const calls = events.filter((e) => e.type === 'call-started').length;
      process.stdout.write(`wrote ${parsed.values.trace}: ${events.length} events, ${summary.mediums.length} medium(s), ${calls} call(s) from ${source} ${file}\n`);
    }
    for (const p of problems) process.stderr.write(`hpss import: ${file}: ${p}\n`);
    return problems.length > 0 ? 1 : 0;
  },
});
