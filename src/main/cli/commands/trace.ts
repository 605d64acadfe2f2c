/** `hpss trace summary FILE [--json]`: per-medium numbers and verb counts of a trace file. */
import { readTrace } from '../../trace/read-trace';
import { summarizeTrace, type MediumSummary, type TraceSummary } from '../../trace/summary';
import { JSON_OPTION, optionsCommand } from './command';

const USAGE = 'trace summary FILE [--json]';

export const traceCommand = optionsCommand({
  name: 'trace',
  usage: USAGE,
  summary: 'per medium: kind, peer, calls, VFS calls, bytes, timeouts, connection set-up time; per verb: calls, error answers, failures, p50/p95 duration; the failures',
  options: JSON_OPTION,
  async run(parsed, usageMistake) {
    const [sub, file, ...extra] = parsed.positionals;
    if (sub !== 'summary' || !file || extra.length > 0) return usageMistake();
    const contents = readTrace(file);
    for (const line of contents.tornLines) process.stderr.write(`hpss trace: ${file}:${line}: torn line skipped\n`);
    const summary = summarizeTrace(contents.sessions);
    process.stdout.write(parsed.values.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
    return 0;
  },
});

/** The human form of a summary: a table of mediums, then calls per verb. */
export function formatSummary(summary: TraceSummary): string {
  const multi = summary.recordings > 1;
  const rows = summary.mediums.map((m) => [
    multi ? `${m.recording}:${m.mediumId}` : m.mediumId,
    m.kind ?? '?',
    m.peer ?? '?',
    String(m.calls),
    String(m.vfsCalls),
    String(m.bytesRead),
    String(m.bytesWritten),
    String(m.timeouts),
    m.setup === null ? '-' : m.setup.ok ? ms(m.setup.totalMs) : 'failed',
    m.closed ?? 'open',
  ]);
  const head = ['medium', 'kind', 'peer', 'calls', 'vfsCalls', 'bytesRead', 'bytesWritten', 'timeouts', 'setupMs', 'closed'];
  const lines = [`${summary.events} events, ${summary.recordings} recording(s), ${summary.mediums.length} medium(s)`, ''];
  lines.push(...table([head, ...rows]));
  for (const m of summary.mediums) lines.push(...verbLines(m, multi));
  lines.push(...statsLines(summary));
  return lines.join('\n') + '\n';
}

function ms(v: number | null): string {
  return v === null ? '-' : v < 10 ? v.toFixed(1) : String(Math.round(v));
}

/** Per verb over the whole trace, then what failed (judged as the UI judges it). */
function statsLines(summary: TraceSummary): string[] {
  if (summary.verbStats.length === 0) return [];
  const head = ['verb', 'calls', 'errorAnswers', 'failures', 'p50ms', 'p95ms'];
  const rows = summary.verbStats.map((v) => [`  ${v.verb}`, String(v.count), String(v.errorAnswers), String(v.failures), ms(v.p50Ms), ms(v.p95Ms)]);
  const lines = ['', 'finished calls per verb:', ...table([['  ' + head[0], ...head.slice(1)], ...rows])];
  lines.push('', summary.failures.length === 0 ? 'no call failed' : 'failed calls:');
  for (const f of summary.failures) lines.push(`  ${f.call} ×${f.count}${f.meaning ? `: ${f.meaning}` : ''}`);
  return lines;
}

function verbLines(m: MediumSummary, multi: boolean): string[] {
  const entries = Object.entries(m.verbs).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return [];
  const label = multi ? `${m.recording}:${m.mediumId}` : m.mediumId;
  return ['', `${label} calls per verb:`, ...table(entries.map(([verb, n]) => [`  ${verb}`, String(n)]))];
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd());
}
