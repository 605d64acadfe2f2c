/**
 * The Engine's wiring to the real engine modules. Each entry forwards to the module
 * that owns the job; a module that has not landed yet answers `unavailable`.
 */
import { startProxy, startServer } from '../server';
import { TraceRecorder } from '../trace/recorder';
import type { EngineBackends, RunningOwner } from './backends';
import { CommandError } from './engine';
import type { EventBus } from './event-bus';

function unavailable(what: string): never {
  throw new CommandError('unavailable', `${what} is not available in this build yet — use the hpss CLI or update the app`);
}

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

export const realBackends: EngineBackends = {
  startServer: (args, bus, ids) => traced(args.trace, bus, { command: 'serve', dir: args.dir }, () => startServer(args, bus, ids)),
  startProxy: (args, bus, ids) => traced(args.trace, bus, { command: 'proxy', upstream: args.upstream }, () => startProxy(args, bus, ids)),
  probe: async () => unavailable('the probe'),
  call: async () => unavailable('sending a call'),
};
