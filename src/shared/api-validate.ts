/**
 * Argument validation for every UI command, shared by the Electron shell (IPC) and the
 * browser shell (HTTP). Both receive untrusted JSON from a renderer; nothing reaches
 * the engine unless it passed here. Pure: no Node, no DOM.
 */
import type { ApiError, CommandArgs, CommandName, Commands, PolicySettings, Result, SshTrustArgs } from './api';
import { parseHostPort } from './host-port';
import { checkPolicy as checkPolicySettings, InvalidPolicy } from './policies';
import { isServerBackendId, SERVER_BACKEND_IDS } from './server-backends';

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
  const hp = parseHostPort(s);
  // Untrusted: a host is a name or an IP literal, nothing else.
  if (!hp || !/^([A-Za-z0-9.-]+|[0-9a-fA-F:.]+)$/.test(hp.host)) fail(path, `'${s}' is not HOST:PORT (e.g. 127.0.0.1:0)`);
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

/** A policy change, checked by the policy registry (each policy checks its own fields). */
export function checkPolicy(value: unknown, path = 'policy'): Partial<PolicySettings> {
  try {
    return checkPolicySettings(value, path);
  } catch (err) {
    if (err instanceof InvalidPolicy) throw new InvalidArgument(err.message);
    throw err;
  }
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
  'ui:backends:list': (a) => none(a, 'args'),
  'ui:events:replay': (a) => none(a, 'args'),
  'ui:server:start': (a) => {
    const o = object(a, 'args', ['backend', 'dir', 'listen', 'allowWrites', 'ssh', 'policy', 'trace']);
    if (!isServerBackendId(o.backend)) fail('backend', `expected ${SERVER_BACKEND_IDS.map((b) => `'${b}'`).join(' or ')}`);
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
  'ui:client:state': (a) => none(a, 'args'),
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
