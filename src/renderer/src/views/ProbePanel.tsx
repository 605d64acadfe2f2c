/** Starts a probe and shows each run's steps and verdict as the events arrive. */
import { useState, type FormEvent } from 'react';
import { call } from '../api/api';
import { DEFAULT_PROBE_TIMEOUT_MS, nextProbeStep } from '../../../shared/probe-steps';
import { formatBytes, formatMs } from '../lib/format';
import { elapsedTone, useNow } from '../lib/use-now';
import { dispatch, useApp } from '../store/store';
import type { ProbeRun } from '../store/types';
import { Badge, Button, TextField } from './controls';
import { HostKeyPrompt, SshSettingsBlock } from './ssh/SshSettings';
import { sshTrustArgs } from './ssh/ssh-settings';
import { useBusy } from './useBusy';

/** The step the probe waits on, its clock, and the seconds left before the probe gives up on it. */
function Waiting({ run }: { run: ProbeRun }) {
  const now = useNow(true);
  const step = nextProbeStep(run.url, run.steps.map((s) => s.step));
  const waited = Math.max(0, now - run.lastStepAt);
  const left = Math.max(0, Math.ceil((DEFAULT_PROBE_TIMEOUT_MS - waited) / 1000));
  return (
    <li className="waiting" data-testid="probe-waiting">
      <span className="step-mark" aria-hidden="true">
        <span className="spinner" />
      </span>
      <span className="step-name">{step ?? 'next step'}</span>
      <span className={`step-meta tone-${elapsedTone(waited)}`}>
        {formatMs(waited)} · times out in {left} s
      </span>
    </li>
  );
}

function ProbeRunView({ run, retry }: { run: ProbeRun; retry: (url: string, acceptNewHostKey: string) => void }) {
  return (
    <div className="probe-run" data-testid="probe-run">
      <div className="probe-url">
        <code>{run.url || run.probeId}</code>
        {!run.verdict && (
          <span className="muted">
            <span className="spinner" aria-hidden="true" /> probing…
          </span>
        )}
      </div>
      <ol className="probe-steps">
        {run.steps.map((s, i) => (
          <li key={i} className={s.ok ? 'ok' : 'bad'}>
            <span className="step-mark" aria-label={s.ok ? 'passed' : 'failed'}>
              {s.ok ? '✓' : '✗'}
            </span>
            <span className="step-name">{s.step}</span>
            <span className="step-meta">
              {formatMs(s.ms)}
              {s.bytes !== undefined && ` · ${formatBytes(s.bytes)}`}
            </span>
            <div className="step-detail">{s.detail}</div>
          </li>
        ))}
        {!run.verdict && <Waiting run={run} />}
      </ol>
      {run.verdict && (
        <div className={`verdict ${run.verdict.ok ? 'verdict-ok' : 'verdict-bad'}`} data-testid="probe-verdict">
          <Badge tone={run.verdict.ok ? 'ok' : 'bad'}>{run.verdict.ok ? 'OK' : 'FAILED'}</Badge>
          <span>{run.verdict.verdict}</span>
          {run.verdict.fix && <div className="verdict-fix">Try: {run.verdict.fix}</div>}
        </div>
      )}
      {run.verdict && !run.verdict.ok && <HostKeyPrompt text={run.verdict.verdict} onTrust={(fp) => retry(run.url, fp)} />}
    </div>
  );
}

export function ProbePanel() {
  const [url, setUrl] = useState('');
  const runs = useApp((s) => s.probes.runs);
  const [busy, run] = useBusy();
  const start = (target: string, acceptNewHostKey?: string) =>
    void run(async () => {
      const started = await call('Starting the probe', 'ui:probe:start', { url: target, ...sshTrustArgs(target, acceptNewHostKey) });
      if (started) dispatch({ type: 'probe-started', probeId: started.probeId, url: target, t: Date.now() });
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start(url.trim());
  };
  return (
    <div>
      <form className="form" onSubmit={submit} aria-label="Probe a URL">
        <TextField label="URL to probe" name="probe-url" value={url} onChange={setUrl} placeholder="bzr+ssh://user@host/path" required />
        <SshSettingsBlock url={url} />
        <Button type="submit" kind="primary" busy={busy} testId="start-probe">
          Probe
        </Button>
      </form>
      {runs.map((r) => (
        <ProbeRunView key={r.probeId} run={r} retry={start} />
      ))}
    </div>
  );
}
