/**
 * Writes a whole recording at once (an import's events) in the recorder's format: a header
 * line, then one event a line. The file must not exist yet: an import never overwrites a
 * trace. Created 0600, as the recorder's: traces hold protocol data.
 */
import { writeFileSync } from 'node:fs';
import type { EngineEvent } from '../../shared/events';
import { TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from '../../shared/trace-format';

export function writeTraceFile(file: string, events: readonly EngineEvent[], meta: TraceHeader['meta'], started = new Date()): void {
  const header: TraceHeader = { format: TRACE_FORMAT, version: TRACE_VERSION, started: started.toISOString(), pid: process.pid, meta };
  const lines = [JSON.stringify(header), ...events.map((e) => JSON.stringify(e))];
  writeFileSync(file, lines.join('\n') + '\n', { flag: 'wx', mode: 0o600 });
}
