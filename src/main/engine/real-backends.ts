/**
 * The Engine's wiring to the real engine modules. Each entry forwards to the module
 * that owns the job; a module that has not landed yet answers `unavailable`.
 */
import type { EngineBackends } from './backends';
import { CommandError } from './engine';

function unavailable(what: string): never {
  throw new CommandError('unavailable', `${what} is not available in this build yet — use the hpss CLI or update the app`);
}

export const realBackends: EngineBackends = {
  startServer: async () => unavailable('starting a server'),
  startProxy: async () => unavailable('starting a proxy'),
  probe: async () => unavailable('the probe'),
  call: async () => unavailable('sending a call'),
};
