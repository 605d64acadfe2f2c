/**
 * `hpss probe URL [--json] [--timeout SECONDS]` and the SSH trust options: the
 * diagnosis walk (src/main/probe), each step printed as it happens. Exit status 0 only when a
 * smart server answered and the path opened; 1 otherwise; 2 for usage.
 */
import { EventBus, IdSource } from '../../bus/event-bus';
import { DEFAULT_PROBE_TIMEOUT_MS, runProbe, type ProbeResult, type ProbeStep } from '../../probe/probe';
import { redactUrlSecrets } from '../../../shared/redact';
import { SSH_CLIENT_OPTIONS, SSH_CLIENT_USAGE, sshTrustFromValues } from '../hooks/ssh-client-options';
import { errorText } from '../args';
import { JSON_OPTION, optionsCommand } from './command';

const USAGE = `probe URL [--json] [--timeout SECONDS] ${SSH_CLIENT_USAGE}`;

export const probeCommand = optionsCommand({
  name: 'probe',
  usage: USAGE,
  summary: 'walk a bzr:// or bzr+ssh:// connection step by step; verdict and likely fix',
  options: { ...JSON_OPTION, ...SSH_CLIENT_OPTIONS, timeout: { type: 'string' } },
  async run(parsed, usageMistake) {
    const [url, ...extra] = parsed.positionals;
    const timeoutSec = parsed.values.timeout === undefined ? DEFAULT_PROBE_TIMEOUT_MS / 1000 : Number(parsed.values.timeout);
    if (!url || extra.length > 0 || !(timeoutSec > 0)) return usageMistake();
    const json = parsed.values.json;
    // A reader that stops early (`| head`) must not turn into a crash: the probe runs on.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    let trust;
    try {
      trust = await sshTrustFromValues(parsed.values);
    } catch (err) {
      process.stderr.write(`hpss probe: ${errorText(err)}\n`);
      return 2;
    }
    const bus = new EventBus();
    if (!json) {
      process.stdout.write(`probe ${redactUrlSecrets(url)}\n`);
      bus.on((e) => {
        if (e.type === 'probe-step') process.stdout.write(formatStep(e) + '\n');
      });
    }
    const result = await runProbe(url, {
      bus,
      ids: new IdSource(),
      ...trust,
      timeoutMs: timeoutSec * 1000,
    });
    process.stdout.write(json ? JSON.stringify(roundResult(result), null, 2) + '\n' : formatVerdict(result));
    return result.ok ? 0 : 1;
  },
});

function formatStep(s: ProbeStep): string {
  const bytes = s.bytes === undefined ? '' : `${s.bytes} B`;
  return `  ${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(15)} ${`${s.ms.toFixed(1)} ms`.padStart(10)} ${bytes.padStart(8)}  ${s.detail}`;
}

function formatVerdict(r: ProbeResult): string {
  const lines = ['', `verdict: ${r.verdict}`];
  if (r.fix) lines.push(`fix:     ${r.fix}`);
  return lines.join('\n') + '\n';
}

function roundResult(r: ProbeResult): ProbeResult {
  return { ...r, steps: r.steps.map((s) => ({ ...s, ms: Math.round(s.ms * 100) / 100 })) };
}
