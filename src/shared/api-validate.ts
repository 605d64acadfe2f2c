/**
 * Argument validation for every UI command, shared by the Electron shell (IPC) and the
 * browser shell (HTTP). Both receive untrusted JSON from a renderer; nothing reaches
 * the engine unless it passed here. Pure: no Node, no DOM.
 */
import type { ApiError, CommandArgs, CommandName, Commands, PolicySettings, Result, SshTrustArgs } from './api';

/** Thrown inside a validator; caught once by `validateArgs`. */
class InvalidArgument extends Error {}

type Obj = Record<string, unknown>;

const MAX_STRING = 4096;
const MAX_ARGS = 64;
const MAX_BODY_BASE64 = 16 * 1024 * 1024;

function fail(path: string, what: string): never {
  throw new InvalidArgument(`${path}: ${what}`);
}

function object(value: unknown, path: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(path, `unknown field '${key}'`);
  }
  return value as Obj;
}

function string(value: unknown, path: string, max = MAX_STRING): string {
  if (typeof value !== 'string') fail(path, 'expected a string');
  if (value.length > max) fail(path, `longer than ${max} characters`);
  return value;
}

function nonEmpty(value: unknown, path: string): string {
  const s = string(value, path);
  if (s.trim() === '') fail(path, 'must not be empty');
  return s;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'expected true or false');
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function optional<T>(value: unknown, path: string, check: (v: unknown, p: string) => T): T | undefined {
  return value === undefined ? undefined : check(value, path);
}

function nullable<T>(value: unknown, path: string, check: (v: unknown, p: string) => T): T | null {
  return value === null ? null : check(value, path);
}

function stringList(value: unknown, path: string, max = MAX_ARGS): string[] {
  if (!Array.isArray(value)) fail(path, 'expected a list of strings');
  if (value.length > max) fail(path, `more than ${max} items`);
  return value.map((v, i) => string(v, `${path}[${i}]`));
}

/** HOST:PORT or [IPv6]:PORT; port 0 picks a free one. */
export function checkListen(value: unknown, path = 'listen'): string {
  const s = nonEmpty(value, path);
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) > 65535) fail(path, `'${s}' is not HOST:PORT (e.g. 127.0.0.1:0)`);
  return s;
}

/** A smart-server URL the client can dial. */
function checkBzrUrl(value: unknown, path = 'url'): string {
  const s = nonEmpty(value, path);
  if (!/^bzr(\+ssh)?:\/\/[^/\s]+(\/\S*)?$/.test(s)) fail(path, `'${s}' is not a bzr:// or bzr+ssh:// URL`);
  return s;
}

/** Any scheme://… : the probe itself explains wrong schemes such as ssh://. */
function checkProbeUrl(value: unknown, path: string): string {
  const s = nonEmpty(value, path);
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(s)) fail(path, `'${s}' is not a URL (e.g. bzr://127.0.0.1:4155/trunk)`);
  return s;
}

function checkBase64(value: unknown, path: string): string {
  const s = string(value, path, MAX_BODY_BASE64);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail(path, 'not valid base64');
  return s;
}

const POLICY_FIELDS: readonly (keyof PolicySettings)[] = [
  'refuseVfs',
  'clientTimeoutSec',
  'latencyMs',
  'bandwidthBytesPerSec',
  'dropAfterBytes',
  'errorVerb',
  'dropAfterCalls',
  'dropOnVerb',
  'cutBodyOfVerb',
  'responseDelayMs',
  'emulate',
];
const BIG = 2 ** 40;

export function checkPolicy(value: unknown, path = 'policy'): Partial<PolicySettings> {
  const o = object(value, path, POLICY_FIELDS);
  const out: Partial<PolicySettings> = {};
  const at = (k: string) => `${path}.${k}`;
  if (o.refuseVfs !== undefined) out.refuseVfs = boolean(o.refuseVfs, at('refuseVfs'));
  if (o.clientTimeoutSec !== undefined) out.clientTimeoutSec = integer(o.clientTimeoutSec, at('clientTimeoutSec'), 0, 86_400);
  if (o.latencyMs !== undefined) out.latencyMs = integer(o.latencyMs, at('latencyMs'), 0, 600_000);
  if (o.bandwidthBytesPerSec !== undefined) out.bandwidthBytesPerSec = integer(o.bandwidthBytesPerSec, at('bandwidthBytesPerSec'), 0, BIG);
  if (o.dropAfterBytes !== undefined) out.dropAfterBytes = integer(o.dropAfterBytes, at('dropAfterBytes'), 0, BIG);
  if (o.dropAfterCalls !== undefined) out.dropAfterCalls = integer(o.dropAfterCalls, at('dropAfterCalls'), 0, 1_000_000);
  if (o.responseDelayMs !== undefined) out.responseDelayMs = integer(o.responseDelayMs, at('responseDelayMs'), 0, 600_000);
  if (o.dropOnVerb !== undefined) out.dropOnVerb = nullable(o.dropOnVerb, at('dropOnVerb'), nonEmpty);
  if (o.cutBodyOfVerb !== undefined) out.cutBodyOfVerb = nullable(o.cutBodyOfVerb, at('cutBodyOfVerb'), nonEmpty);
  if (o.errorVerb !== undefined) {
    out.errorVerb = nullable(o.errorVerb, at('errorVerb'), (v, p) => {
      const e = object(v, p, ['verb', 'error']);
      const error = stringList(e.error, `${p}.error`);
      if (error.length === 0) fail(`${p}.error`, 'needs at least the error name');
      return { verb: nonEmpty(e.verb, `${p}.verb`), error };
    });
  }
  if (o.emulate !== undefined) {
    const e = object(o.emulate, at('emulate'), ['maxProtocol', 'unknownVerbs', 'softwareVersion']);
    out.emulate = {
      maxProtocol: integer(e.maxProtocol, at('emulate.maxProtocol'), 1, 3) as 1 | 2 | 3,
      unknownVerbs: stringList(e.unknownVerbs, at('emulate.unknownVerbs'), 1000),
      softwareVersion: nullable(e.softwareVersion, at('emulate.softwareVersion'), nonEmpty),
    };
  }
  return out;
}

type Validators = { [C in CommandName]: (args: unknown) => Commands[C]['args'] };

const SSH_TRUST_FIELDS = ['identity', 'knownHosts', 'passphrase', 'acceptNewHostKey'] as const;

/** `any`, or an OpenSSH `SHA256:` fingerprint (43 base64 characters, no padding). */
function checkAcceptNewHostKey(value: unknown, path: string): string {
  const s = string(value, path);
  if (s !== 'any' && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(s)) fail(path, "expected 'any' or a SHA256:… fingerprint");
  return s;
}

/** A passphrase: any string, never echoed back in an error. */
function checkPassphrase(value: unknown, path: string): string {
  return string(value, path);
}

/** The optional SSH trust fields of a command that may open an SSH connection. */
function sshTrust(o: Obj): SshTrustArgs {
  const identity = optional(o.identity, 'identity', nonEmpty);
  const knownHosts = optional(o.knownHosts, 'knownHosts', nonEmpty);
  const passphrase = optional(o.passphrase, 'passphrase', checkPassphrase);
  const acceptNewHostKey = optional(o.acceptNewHostKey, 'acceptNewHostKey', checkAcceptNewHostKey);
  return {
    ...(identity !== undefined && { identity }),
    ...(knownHosts !== undefined && { knownHosts }),
    ...(passphrase !== undefined && { passphrase }),
    ...(acceptNewHostKey !== undefined && { acceptNewHostKey }),
  };
}

function none(args: unknown, path: string): null {
  if (args !== null && args !== undefined) fail(path, 'takes no arguments (send null)');
  return null;
}

const VALIDATORS: Validators = {
  'ui:owners:list': (a) => none(a, 'args'),
  'ui:events:replay': (a) => none(a, 'args'),
  'ui:server:start': (a) => {
    const o = object(a, 'args', ['backend', 'dir', 'listen', 'allowWrites', 'ssh', 'policy', 'trace']);
    if (o.backend !== 'breezy' && o.backend !== 'builtin') fail('backend', "expected 'breezy' or 'builtin'");
    const ssh = nullable(o.ssh, 'ssh', (v, p) => {
      const s = object(v, p, ['listen', 'authorizedKeys', 'hostKey']);
      return {
        listen: checkListen(s.listen, `${p}.listen`),
        authorizedKeys: nonEmpty(s.authorizedKeys, `${p}.authorizedKeys`),
        ...(s.hostKey !== undefined && { hostKey: nonEmpty(s.hostKey, `${p}.hostKey`) }),
      };
    });
    const policy = optional(o.policy, 'policy', checkPolicy);
    const trace = optional(o.trace, 'trace', nonEmpty);
    return {
      backend: o.backend,
      dir: nonEmpty(o.dir, 'dir'),
      listen: checkListen(o.listen),
      allowWrites: boolean(o.allowWrites, 'allowWrites'),
      ssh,
      ...(policy && { policy }),
      ...(trace !== undefined && { trace }),
    };
  },
  'ui:proxy:start': (a) => {
    const o = object(a, 'args', ['upstream', 'listen', ...SSH_TRUST_FIELDS, 'policy', 'trace']);
    const keyFiles = sshTrust(o);
    const policy = optional(o.policy, 'policy', checkPolicy);
    const trace = optional(o.trace, 'trace', nonEmpty);
    return {
      upstream: checkBzrUrl(o.upstream, 'upstream'),
      listen: checkListen(o.listen),
      ...keyFiles,
      ...(policy && { policy }),
      ...(trace !== undefined && { trace }),
    };
  },
  'ui:owner:stop': (a) => ({ ownerId: nonEmpty(object(a, 'args', ['ownerId']).ownerId, 'ownerId') }),
  'ui:policy:set': (a) => {
    const o = object(a, 'args', ['ownerId', 'policy']);
    return { ownerId: nonEmpty(o.ownerId, 'ownerId'), policy: checkPolicy(o.policy) };
  },
  'ui:client:refuse-vfs': (a) => ({ enabled: boolean(object(a, 'args', ['enabled']).enabled, 'enabled') }),
  'ui:probe:start': (a) => {
    const o = object(a, 'args', ['url', ...SSH_TRUST_FIELDS]);
    const keyFiles = sshTrust(o);
    return {
      url: checkProbeUrl(o.url, 'url'),
      ...keyFiles,
    };
  },
  'ui:call:send': (a) => {
    const o = object(a, 'args', ['url', 'verb', 'args', 'bodyBase64', ...SSH_TRUST_FIELDS]);
    const bodyBase64 = optional(o.bodyBase64, 'bodyBase64', checkBase64);
    const keyFiles = sshTrust(o);
    const verb = nonEmpty(o.verb, 'verb');
    if (/\s/.test(verb)) fail('verb', `'${verb}' contains whitespace`);
    return {
      url: checkBzrUrl(o.url),
      verb,
      args: stringList(o.args, 'args'),
      ...(bodyBase64 !== undefined && { bodyBase64 }),
      ...keyFiles,
    };
  },
};

/** Every command of the contract: the validator table is typed to have exactly one per command. */
const COMMAND_NAMES = Object.keys(VALIDATORS) as readonly CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

export function commandNames(): readonly CommandName[] {
  return COMMAND_NAMES;
}

export function invalidArgument(message: string): ApiError {
  return { code: 'invalid-argument', message };
}

/** Checks a command name and its arguments; answers the typed arguments or an `invalid-argument` error. */
export function validateArgs<C extends CommandName>(command: C, args: unknown): Result<CommandArgs<C>>;
export function validateArgs(command: unknown, args: unknown): Result<unknown>;
export function validateArgs(command: unknown, args: unknown): Result<unknown> {
  if (!isCommandName(command)) return { ok: false, error: invalidArgument(`unknown command '${String(command)}'`) };
  try {
    return { ok: true, data: VALIDATORS[command](args) };
  } catch (err) {
    if (err instanceof InvalidArgument) return { ok: false, error: invalidArgument(`${command}: ${err.message}`) };
    throw err;
  }
}
