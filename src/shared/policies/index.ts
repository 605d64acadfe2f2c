/**
 * Every policy a server or proxy can apply, in the order their request hooks are asked
 * (the first answer or drop wins; delays add up). The settings type, the defaults, the
 * validator, the CLI flags and the UI form are all derived from this list: adding a
 * policy is one file and one line here.
 */
import { bandwidthPolicy } from './bandwidth';
import { clientTimeoutPolicy } from './client-timeout';
import { cutBodyPolicy } from './cut-body';
import { dropAfterBytesPolicy } from './drop-after-bytes';
import { dropAfterCallsPolicy } from './drop-after-calls';
import { dropOnVerbPolicy } from './drop-on-verb';
import { emulatePolicy } from './emulate';
import { errorVerbPolicy } from './error-verb';
import { jitterPolicy } from './jitter';
import { latencyPolicy } from './latency';
import { InvalidPolicy, invalid, type PolicyDefinition, type PolicyInput } from './policy';
import { refuseVfsPolicy } from './refuse-vfs';
import { responseDelayPolicy } from './response-delay';

export const POLICIES = [
  emulatePolicy,
  dropOnVerbPolicy,
  refuseVfsPolicy,
  errorVerbPolicy,
  latencyPolicy,
  responseDelayPolicy,
  jitterPolicy,
  cutBodyPolicy,
  bandwidthPolicy,
  dropAfterBytesPolicy,
  dropAfterCallsPolicy,
  clientTimeoutPolicy,
] as const;

type SettingsOf<P> = P extends PolicyDefinition<infer S> ? S : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Flatten<T> = { [K in keyof T]: T[K] };

/** Policies of one server or proxy; every field may be changed while it runs. */
export type PolicySettings = Flatten<UnionToIntersection<SettingsOf<(typeof POLICIES)[number]>>>;

/** Every policy, typed against the whole settings (each reads only its own fields). */
export const POLICY_LIST = POLICIES as unknown as readonly PolicyDefinition<PolicySettings>[];

export type { ErrorVerb } from './error-verb';
export type { Emulation } from './emulate';
export type { PolicyAnswer, PolicyDefinition, PolicyInput, RequestHead, RequestVerdict } from './policy';
export { InvalidPolicy } from './policy';
export { DEFAULT_CLIENT_TIMEOUT_SEC } from './client-timeout';

const FIELDS: readonly string[] = POLICY_LIST.flatMap((p) => Object.keys(p.defaults));

export function defaultPolicy(): PolicySettings {
  // A deep copy: lists in the defaults must not be shared between servers.
  return structuredClone(Object.assign({}, ...POLICY_LIST.map((p) => p.defaults)) as PolicySettings);
}

/** Validates an untrusted partial settings object (unknown fields refused); throws InvalidPolicy. */
export function checkPolicy(value: unknown, path = 'policy'): Partial<PolicySettings> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(path, 'expected an object');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!FIELDS.includes(key)) invalid(path, `unknown field '${key}'`);
  return Object.assign({}, ...POLICY_LIST.map((p) => p.check(o, path))) as Partial<PolicySettings>;
}

/** `current` with a validated `change` applied. */
export function mergePolicy(current: PolicySettings, change: unknown): PolicySettings {
  return { ...current, ...checkPolicy(change) };
}

/** Every input of every policy, with its policy: the CLI's flags and the UI's form. */
export function policyInputs(): { policy: PolicyDefinition<PolicySettings>; input: PolicyInput<PolicySettings> }[] {
  return POLICY_LIST.flatMap((policy) => policy.inputs.map((input) => ({ policy, input })));
}

/** A server's active faults and limits in plain words, one chip each (none when it relays untouched). */
export function faultChips(settings: PolicySettings): string[] {
  return POLICY_LIST.flatMap((p) => p.chips(settings));
}

/**
 * Applies text values (a form's, or CLI flags') to `current` through the inputs' parsers,
 * then validates the result; throws InvalidPolicy naming the input.
 */
export function policyFromInputs(current: PolicySettings, values: Map<string, string | boolean>): PolicySettings {
  let next = current;
  for (const { input } of policyInputs()) {
    const value = values.get(input.flag);
    if (value === undefined) continue;
    const change = input.parse(value, next);
    try {
      next = mergePolicy(next, change);
    } catch (err) {
      if (err instanceof InvalidPolicy) throw new InvalidPolicy(`${input.label}: ${err.message}`);
      throw err;
    }
  }
  return next;
}
