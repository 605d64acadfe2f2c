/**
 * Policy settings of one server or proxy: defaults, and merging a partial change
 * (from the CLI or the UI, while it runs) with validation. Pure.
 */
import type { PolicySettings } from '../../../shared/api';
import { DEFAULT_CLIENT_TIMEOUT_SEC } from '../../medium/server-medium';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`invalid policy ${field}: ${message}`);
  }
}

export function defaultPolicy(): PolicySettings {
  return {
    refuseVfs: false,
    clientTimeoutSec: DEFAULT_CLIENT_TIMEOUT_SEC,
    latencyMs: 0,
    bandwidthBytesPerSec: 0,
    dropAfterBytes: 0,
    errorVerb: null,
    dropAfterCalls: 0,
    dropOnVerb: null,
    cutBodyOfVerb: null,
    responseDelayMs: 0,
    emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: null },
  };
}

const NON_NEGATIVE_NUMBERS = [
  'clientTimeoutSec',
  'latencyMs',
  'bandwidthBytesPerSec',
  'dropAfterBytes',
  'dropAfterCalls',
  'responseDelayMs',
] as const;

/** Returns `current` with `change` applied; throws PolicyError on a bad value. */
export function mergePolicy(current: PolicySettings, change: Partial<PolicySettings>): PolicySettings {
  const next: PolicySettings = { ...current, ...change, emulate: { ...current.emulate, ...(change.emulate ?? {}) } };
  for (const field of NON_NEGATIVE_NUMBERS) {
    const value = next[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PolicyError(field, `${String(value)} is not a number ≥ 0`);
  }
  if (typeof next.refuseVfs !== 'boolean') throw new PolicyError('refuseVfs', 'must be true or false');
  if (next.errorVerb !== null) {
    const { verb, error } = next.errorVerb;
    if (typeof verb !== 'string' || verb === '') throw new PolicyError('errorVerb.verb', 'must name a verb');
    if (!Array.isArray(error) || error.length === 0 || !error.every((e) => typeof e === 'string')) {
      throw new PolicyError('errorVerb.error', 'must be a non-empty list of strings, e.g. ["LockContention"]');
    }
  }
  for (const field of ['dropOnVerb', 'cutBodyOfVerb'] as const) {
    const value = next[field];
    if (value !== null && (typeof value !== 'string' || value === '')) throw new PolicyError(field, 'must name a verb or be null');
  }
  const { maxProtocol, unknownVerbs, softwareVersion } = next.emulate;
  if (maxProtocol !== 1 && maxProtocol !== 2 && maxProtocol !== 3) throw new PolicyError('emulate.maxProtocol', 'must be 1, 2 or 3');
  if (!Array.isArray(unknownVerbs) || !unknownVerbs.every((v) => typeof v === 'string')) {
    throw new PolicyError('emulate.unknownVerbs', 'must be a list of verbs');
  }
  if (softwareVersion !== null && typeof softwareVersion !== 'string') throw new PolicyError('emulate.softwareVersion', 'must be text or null');
  return next;
}

/** A changeable holder shared by every connection of one server or proxy. */
export class PolicyStore {
  private settings: PolicySettings;

  constructor(initial: Partial<PolicySettings> = {}) {
    this.settings = mergePolicy(defaultPolicy(), initial);
  }

  get(): PolicySettings {
    return this.settings;
  }

  set(change: Partial<PolicySettings>): PolicySettings {
    this.settings = mergePolicy(this.settings, change);
    return this.settings;
  }
}
