/**
 * The Engine's wiring to the real engine modules. Each entry forwards to the module
 * that owns the job.
 */
import type { ServerStartArgs } from '../../shared/api';
import { redactUrlSecrets } from '../../shared/redact';
import { runProbe } from '../probe/probe';
import { startProxy, startServer } from '../server';
import { listServerBackends } from '../server/backends/registry';
import { prepareSshFront } from '../server/ssh';
import { attachSshFront } from '../server/ssh/attach';
import { knownHostsLine } from '../server/ssh/host-key';
import { TraceRecorder } from '../trace/recorder';
import type { EngineBackends, RunningOwner } from './backends';
import { sendCall } from './client-call';
import { ReservedProbeId } from './probe-ids';
import type { EventBus, IdSource } from '../bus/event-bus';

/** `--trace FILE` for an owner started from the UI: records the engine's events while it runs. */
async function traced(file: string | undefined, bus: EventBus, meta: Record<string, string>, start: () => Promise<RunningOwner>): Promise<RunningOwner> {
  if (!file) return start();
  const recorder = TraceRecorder.open(file, bus, { meta: { source: 'hpss-inspector-ui', ...meta } });
  try {
    const owner = await start();
    return {
      ...owner,
      policy: () => owner.policy(),
      setPolicy: (p) => owner.setPolicy(p),
      stop: async () => {
        try {
          await owner.stop();
        } finally {
          recorder.close();
        }
      },
    };
  } catch (err) {
    recorder.close();
    throw err;
  }
}

/** A server, plus its embedded SSH server when asked (keys are read before anything listens). */
async function serverWithSsh(args: ServerStartArgs, bus: EventBus, ids: IdSource): Promise<RunningOwner> {
  const ssh = args.ssh ? prepareSshFront(args.ssh) : null;
  const owner = await startServer(args, bus, ids);
  if (!ssh) return owner;
  const { owner: both, front } = await attachSshFront(owner, ssh, { bus, ids });
  const { host, port, url } = front.listener;
  return { ...both, ssh: { url, knownHostsLine: knownHostsLine(host, port, front.hostKey.key), fingerprint: front.hostKey.fingerprint } };
}

export const realBackends: EngineBackends = {
  listBackends: listServerBackends,
  startServer: (args, bus, ids) => traced(args.trace, bus, { command: 'serve', dir: args.dir }, () => serverWithSsh(args, bus, ids)),
  startProxy: (args, bus, ids) => traced(args.trace, bus, { command: 'proxy', upstream: redactUrlSecrets(args.upstream) }, () => startProxy(args, bus, ids)),
  probe: async (args, probeId, _client, bus, ids) => {
    await runProbe(args.url, {
      bus,
      ids: new ReservedProbeId(ids, probeId),
      identityFile: args.identity,
      passphrase: args.passphrase,
      knownHostsFile: args.knownHosts,
      acceptNewHostKey: args.acceptNewHostKey,
    });
  },
  call: sendCall,
};
