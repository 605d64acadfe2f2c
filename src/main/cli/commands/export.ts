/**
 * `hpss export --pcapng OUT TRACE [--calls ID,…]`: a trace's calls as a pcapng for
 * Wireshark and tshark, one TCP connection per medium to port 4155, where their `bzr`
 * dissector decodes it. A trace keeps only each message's first 4 KiB: a call cut short
 * is written as recorded, its missing bytes shown as not captured, and marked by a packet
 * comment.
 */
import { writeFileSync } from 'node:fs';
import type { EngineEvent } from '../../../shared/events';
import { BZR_PORT, exportPcapng } from '../../../shared/interchange';
import { flattenRecordings } from '../../../shared/trace-format';
import { errorText } from '../args';
import { readTrace } from '../../trace/read-trace';
import { optionsCommand } from './command';

const USAGE = 'export --pcapng OUT TRACE [--calls ID,…]';

/** Every recording's events; with several, ids are prefixed `rN.` (as the app shows them) so they stay unique. */
function traceEvents(file: string): EngineEvent[] {
  const { sessions } = readTrace(file);
  return sessions.length === 1 ? sessions[0].events : flattenRecordings(sessions, true);
}

export const exportCommand = optionsCommand({
  name: 'export',
  usage: USAGE,
  summary: `write a trace's calls as a pcapng for Wireshark/tshark (TCP port ${BZR_PORT}, their bzr dissector); only the first 4 KiB of each message is recorded, so longer calls are marked by a packet comment`,
  options: { pcapng: { type: 'string' }, calls: { type: 'string' } },
  async run(parsed, usageMistake) {
    const [trace, ...extra] = parsed.positionals;
    const out = parsed.values.pcapng;
    if (!trace || !out || extra.length > 0) return usageMistake(out ? undefined : '--pcapng OUT is required');
    let events: EngineEvent[];
    try {
      events = traceEvents(trace);
    } catch (err) {
      process.stderr.write(`hpss export: ${errorText(err)}\n`);
      return 1;
    }
    const wanted = parsed.values.calls?.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (wanted) {
      const known = new Set(events.flatMap((e) => (e.type === 'call-started' ? [e.callId] : [])));
      const missing = wanted.filter((id) => !known.has(id));
      if (missing.length > 0) {
        process.stderr.write(`hpss export: no call ${missing.join(', ')} in ${trace}\n`);
        return 1;
      }
    }
    const result = exportPcapng(events, { callIds: wanted ? new Set(wanted) : undefined });
    if (result.calls === 0) {
      process.stderr.write(`hpss export: ${trace} has no call with recorded bytes to export${result.unrecordedCalls ? ` (${result.unrecordedCalls} without any)` : ''}\n`);
      return 1;
    }
    try {
      writeFileSync(out, result.bytes);
    } catch (err) {
      process.stderr.write(`hpss export: cannot write ${out}: ${errorText(err)}\n`);
      return 1;
    }
    const notes = [
      result.truncatedCalls ? `${result.truncatedCalls} not recorded whole (see the packet comments)` : '',
      result.unrecordedCalls ? `${result.unrecordedCalls} left out: no bytes recorded` : '',
    ].filter(Boolean);
    process.stdout.write(`wrote ${out}: ${result.calls} call(s) on ${result.connections} connection(s)${notes.length ? `; ${notes.join('; ')}` : ''}\n`);
    process.stdout.write(`decode with: tshark -r ${out} -d tcp.port==${BZR_PORT},bzr\n`);
    return 0;
  },
});
