/**
 * `hpss probe`: walks a smart server URL one step at a time — the URL itself, name
 * resolution, TCP connect, (SSH) handshake, host key, authentication, remote command, then
 * `hello`, the protocol version, opening the BzrDir at the path and its branch — timing each
 * and counting its bytes, and stops at the first failure with a plain verdict and the likely
 * fix. Steps and the verdict are events on the bus (`probe-step`, `probe-verdict`), so a UI
 * can show them live.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderBytes, type BValue, type ProtocolVersion } from '../../shared/protocol';
import type { EngineEvent } from '../../shared/events';
import { SmartClient } from '../client/smart-client';
import { openMedium } from '../client/open-medium';
import { parseSmartUrl, type SmartUrl } from '../client/smart-url';
import { redactUrlSecrets } from '../../shared/redact';
import type { SshTrustOptions } from '../medium/ssh/ssh-session';
import { expandHome } from '../medium/ssh/expand-home';
import type { EventBus, IdSource } from '../bus/event-bus';
import type { ClientMedium } from '../medium/client-medium';
import { bzrRemotePath, remoteServeCommand } from '../medium/ssh/remote-command';
import { connectFailure } from './connect-verdicts';
import { sayHello } from './hello-exchange';
import { notSmartServerFailure, preMarkerFailure, remoteEndedFailure, showBytes, type HelloFailure } from './remote-diagnosis';
import { adviseUrl } from './url-advice';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../../shared/probe-steps';

export { DEFAULT_PROBE_TIMEOUT_MS } from '../../shared/probe-steps';

export interface ProbeOptions extends SshTrustOptions {
  bus: EventBus;
  ids: IdSource;
  /** How long `hello` may take to answer. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** One step, as its `probe-step` event carries it. */
export type ProbeStep = Pick<Extract<EngineEvent, { type: 'probe-step' }>, 'step' | 'ok' | 'ms' | 'bytes' | 'detail'>;

export interface ProbeResult {
  probeId: string;
  url: string;
  steps: ProbeStep[];
  /** A smart server answered `hello`. */
  serverAnswered: boolean;
  /** Everything passed, the path included. */
  ok: boolean;
  verdict: string;
  fix?: string;
  protocol?: ProtocolVersion;
}

class ProbeRun {
  readonly probeId: string;
  readonly steps: ProbeStep[] = [];

  constructor(
    private readonly bus: EventBus,
    ids: IdSource,
  ) {
    this.probeId = ids.take('probe');
  }

  step(step: ProbeStep): void {
    this.steps.push(step);
    this.bus.emit({ type: 'probe-step', probeId: this.probeId, ...step });
  }

  verdict(url: string, ok: boolean, serverAnswered: boolean, verdict: string, fix?: string, protocol?: ProtocolVersion): ProbeResult {
    this.bus.emit({ type: 'probe-verdict', probeId: this.probeId, ok, verdict, ...(fix ? { fix } : {}) });
    return { probeId: this.probeId, url, steps: this.steps, serverAnswered, ok, verdict, ...(fix ? { fix } : {}), ...(protocol ? { protocol } : {}) };
  }
}

export async function runProbe(urlText: string, opts: ProbeOptions): Promise<ProbeResult> {
  const run = new ProbeRun(opts.bus, opts.ids);
  const shownUrl = redactUrlSecrets(urlText);
  const fail = (f: HelloFailure, answered = false, protocol?: ProtocolVersion) => run.verdict(shownUrl, false, answered, f.verdict, f.fix, protocol);

  const advice = adviseUrl(shownUrl);
  if (advice) {
    run.step({ step: 'url', ok: false, ms: 0, detail: advice.verdict });
    return fail(advice);
  }
  let url: SmartUrl;
  try {
    url = parseSmartUrl(urlText);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    run.step({ step: 'url', ok: false, ms: 0, detail: message });
    return fail({ verdict: message, fix: 'a smart server URL looks like bzr://HOST[:PORT]/PATH or bzr+ssh://[USER@]HOST[:PORT]/PATH' });
  }
  const remote = bzrRemotePath(undefined, opts.env ?? process.env);
  const remoteCommand = url.scheme === 'bzr+ssh' ? remoteServeCommand(remote.path) : '';
  const remoteSource = remote.source === 'default' ? `Breezy's default (BZR_REMOTE_PATH is not set)` : `BZR_REMOTE_PATH=${remote.path}`;
  run.step({
    step: 'url',
    ok: true,
    ms: 0,
    detail: `${url.scheme}://${url.host}:${url.port}, path ${JSON.stringify(url.remotePath)}${remoteCommand ? `; remote command '${remoteCommand}' (${remoteSource})` : ''}`,
  });

  const knownHostsFile = expandHome(opts.knownHostsFile) ?? join(homedir(), '.ssh', 'known_hosts');
  const medium = openMedium(url, {
    bus: opts.bus,
    ids: opts.ids,
    identityFile: opts.identityFile,
    passphrase: opts.passphrase,
    knownHostsFile,
    acceptNewHostKey: opts.acceptNewHostKey,
    remotePath: remote.path,
    onStep: (s) => run.step(s),
  });
  try {
    try {
      await medium.connect();
    } catch (err) {
      return fail(connectFailure(err, { url, knownHostsFile, identityFile: opts.identityFile }));
    }
    const client = new SmartClient(medium, { bus: opts.bus, ids: opts.ids });
    const protocol = await helloAndVersion(run, client, url, opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, remoteCommand, remoteSource);
    if ('verdict' in protocol) return fail(protocol);
    const path = await openPath(run, client, url);
    return path.ok
      ? run.verdict(shownUrl, true, true, `a Bazaar smart server answered (protocol v${protocol.version}); ${path.summary}`, undefined, protocol.version)
      : fail(path.failure, true, protocol.version);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail({ verdict: `the probe stopped: ${message}`, fix: 'see the last step above' });
  } finally {
    medium.close('probe finished');
  }
}

async function timed<T>(medium: ClientMedium, run: () => Promise<T>): Promise<{ value: T; ms: number; bytes: number }> {
  const bytes0 = medium.bytesRead + medium.bytesWritten;
  const t0 = performance.now();
  const value = await run();
  return { value, ms: performance.now() - t0, bytes: medium.bytesRead + medium.bytesWritten - bytes0 };
}

async function helloAndVersion(
  run: ProbeRun,
  client: SmartClient,
  url: SmartUrl,
  timeoutMs: number,
  remoteCommand: string,
  remoteSource: string,
): Promise<{ version: ProtocolVersion } | HelloFailure> {
  const medium = client.medium;
  const where = `${url.host}:${url.port}`;
  const bytesBefore = medium.bytesRead + medium.bytesWritten;
  const t0 = performance.now();
  const outcome = await sayHello(medium, timeoutMs).catch((err: unknown) => {
    run.step({ step: 'hello', ok: false, ms: performance.now() - t0, detail: err instanceof Error ? err.message : String(err) });
    throw err;
  });
  const ms = performance.now() - t0;
  const bytes = medium.bytesRead + medium.bytesWritten - bytesBefore;
  const failStep = (detail: string) => run.step({ step: 'hello', ok: false, ms, bytes, detail });
  switch (outcome.kind) {
    case 'v3': {
      const args = outcome.message.summary.args.map((a: BValue) => (a instanceof Uint8Array ? renderBytes(a) : String(a)));
      run.step({ step: 'hello', ok: true, ms, bytes, detail: `answered ${outcome.message.summary.status} (${args.join(', ')})` });
      medium.protocolVersion = 3;
      run.step({ step: 'protocol', ok: true, ms: 0, detail: 'v3 (Bazaar 1.6 or later)' });
      return { version: 3 };
    }
    case 'v3-not-understood': {
      run.step({ step: 'hello', ok: true, ms, bytes, detail: `v3 not understood; the server answered in v1: ${showBytes(outcome.bytes, 80)}` });
      medium.disconnect();
      const negotiated = await timed(medium, () => client.call('hello'));
      const version = negotiated.value.protocol;
      run.step({ step: 'protocol', ok: true, ms: negotiated.ms, bytes: negotiated.bytes, detail: `v${version} (the server predates Bazaar 1.6; brz reconnects and falls back the same way)` });
      return { version };
    }
    case 'pre-marker': {
      failStep(`bytes before the protocol marker: ${showBytes(outcome.junk)}`);
      return preMarkerFailure(outcome.junk, url.scheme === 'bzr+ssh');
    }
    case 'ended': {
      const why = await medium.settledEndExplanation();
      failStep(`the server closed the connection without answering${why ? `: ${why}` : ''}`);
      return remoteEndedFailure(why, remoteCommand, remoteSource);
    }
    case 'timeout':
      failStep(`no answer within ${timeoutMs / 1000} s${outcome.bytes.length ? `; got ${showBytes(outcome.bytes)}` : ''}`);
      return outcome.bytes.length
        ? notSmartServerFailure(outcome.bytes, where)
        : { verdict: `${where} accepted the connection but did not answer hello within ${timeoutMs / 1000} s`, fix: url.scheme === 'bzr' ? 'is this a Bazaar smart server? bzr:// defaults to port 4155' : `run '${remoteCommand}' on the server by hand to see whether it starts` };
    case 'not-smart':
      failStep(`not a smart server answer: ${showBytes(outcome.bytes)}`);
      return notSmartServerFailure(outcome.bytes, where);
  }
}

type PathOutcome = { ok: true; summary: string } | { ok: false; failure: HelloFailure };

/** Opens the BzrDir at the path as brz does (`BzrDir.open_2.1`, else `BzrDir.open`), then its branch. */
async function openPath(run: ProbeRun, client: SmartClient, url: SmartUrl): Promise<PathOutcome> {
  const medium = client.medium;
  const path = url.remotePath;
  const opened = await timed(medium, async () => {
    if (!medium.isRemoteBefore([1, 16])) {
      const r = await client.call('BzrDir.open_2.1', path);
      if (!(r.status === 'E' && word(r.args[0]) === 'UnknownMethod')) return { verb: 'BzrDir.open_2.1', r };
      medium.rememberRemoteIsBefore([1, 16]);
    }
    return { verb: 'BzrDir.open', r: await client.call('BzrDir.open', path) };
  });
  const { verb, r } = opened.value;
  const answer = r.args.map(word);
  const step = (ok: boolean, detail: string) => run.step({ step: 'open-bzrdir', ok, ms: opened.ms, bytes: opened.bytes, detail: `${verb} ${JSON.stringify(path)} → ${r.status} (${answer.join(', ')}); ${detail}` });
  if (r.status === 'E') {
    step(false, 'the server refused');
    return { ok: false, failure: { verdict: `opening ${path} failed: ${answer.join(' ')}`, fix: 'check the path and your permissions on the server' } };
  }
  if (answer[0] !== 'yes') {
    const vfsPath = path === '.' ? '/' : `/${path.replace(/\/$/, '')}`;
    const exists = await client.call('has', vfsPath).then((h) => (h.status === 'S' ? word(h.args[0]) === 'yes' : null), () => null);
    step(false, exists === false ? 'no such path' : 'not a Bazaar directory');
    const pathHint = url.scheme === 'bzr+ssh'
      ? 'over bzr+ssh the URL path is the full path on the server (bzr+ssh://host/home/me/repo/trunk)'
      : 'over bzr:// the path is relative to the directory `brz serve` serves';
    return exists === false
      ? { ok: false, failure: { verdict: `no such path on the server: ${url.path}`, fix: `check the path; ${pathHint}` } }
      : { ok: false, failure: { verdict: `not a branch: ${url.path} has no Bazaar control directory (.bzr)`, fix: `point at a branch, e.g. one level deeper; ${pathHint}` } };
  }
  step(true, 'a Bazaar directory');
  const branch = await timed(medium, () => client.call('BzrDir.open_branchV3', path));
  const b = branch.value.args.map(word);
  const detail = branch.value.status === 'S'
    ? b[0] === 'ref' ? `a branch reference to ${b[1]}` : `a branch (${(b[1] ?? '').trim()})`
    : `no branch here (${b.join(', ')}): a repository or a bare control directory`;
  run.step({ step: 'open-branch', ok: true, ms: branch.ms, bytes: branch.bytes, detail: `BzrDir.open_branchV3 → ${branch.value.status}; ${detail}` });
  return { ok: true, summary: `${url.path} is ${detail}` };
}

function word(v: BValue | undefined): string {
  return v instanceof Uint8Array ? renderBytes(v) : v === undefined ? '' : String(v);
}
