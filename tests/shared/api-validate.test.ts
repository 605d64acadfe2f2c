import { describe, expect, test } from 'vitest';
import { checkListen, checkPolicy, isCommandName, validateArgs } from '../../src/shared/api-validate';

function rejected(command: unknown, args: unknown): string {
  const r = validateArgs(command, args);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(args)}`);
  expect(r.error.code).toBe('invalid-argument');
  return r.error.message;
}

describe('validateArgs', () => {
  test('knows exactly the contract commands', () => {
    expect(isCommandName('ui:proxy:start')).toBe(true);
    expect(isCommandName('ui:shell:exec')).toBe(false);
    expect(rejected('ui:shell:exec', null)).toMatch(/unknown command 'ui:shell:exec'/);
    expect(rejected(42, null)).toMatch(/unknown command/);
  });

  test('commands without arguments take null only', () => {
    expect(validateArgs('ui:owners:list', null)).toEqual({ ok: true, data: null });
    expect(rejected('ui:events:replay', { x: 1 })).toMatch(/takes no arguments/);
  });

  test('a proxy start: URL scheme, listen address, optional files', () => {
    expect(validateArgs('ui:proxy:start', { upstream: 'bzr://127.0.0.1:4155/', listen: '127.0.0.1:0' })).toEqual({
      ok: true,
      data: { upstream: 'bzr://127.0.0.1:4155/', listen: '127.0.0.1:0' },
    });
    expect(validateArgs('ui:proxy:start', { upstream: 'bzr+ssh://me@[::1]:22/srv', listen: '[::1]:4155', identity: '/k', knownHosts: '/kh' }).ok).toBe(true);
    expect(rejected('ui:proxy:start', { upstream: 'http://x/', listen: '127.0.0.1:0' })).toMatch(/upstream: 'http:\/\/x\/' is not a bzr:\/\//);
    expect(rejected('ui:proxy:start', { upstream: 'bzr://h/', listen: '127.0.0.1:99999' })).toMatch(/listen: .* is not HOST:PORT/);
    expect(rejected('ui:proxy:start', { upstream: 'bzr://h/', listen: '127.0.0.1:0', evil: true })).toMatch(/unknown field 'evil'/);
    expect(rejected('ui:proxy:start', { upstream: 'bzr://h/', listen: '127.0.0.1:0', identity: '' })).toMatch(/identity: must not be empty/);
    expect(rejected('ui:proxy:start', 'bzr://h/')).toMatch(/expected an object/);
  });

  test('a server start: backend, dir, ssh block', () => {
    const base = { backend: 'breezy', dir: '/srv/bzr', listen: '127.0.0.1:0', allowWrites: false, ssh: null };
    expect(validateArgs('ui:server:start', base).ok).toBe(true);
    expect(validateArgs('ui:server:start', { ...base, ssh: { listen: '127.0.0.1:0', authorizedKeys: '/a' } }).ok).toBe(true);
    expect(rejected('ui:server:start', { ...base, backend: 'git' })).toMatch(/backend: expected 'breezy' or 'builtin'/);
    expect(rejected('ui:server:start', { ...base, dir: ' ' })).toMatch(/dir: must not be empty/);
    expect(rejected('ui:server:start', { ...base, allowWrites: 'yes' })).toMatch(/allowWrites: expected true or false/);
    expect(rejected('ui:server:start', { ...base, ssh: { listen: '127.0.0.1:0' } })).toMatch(/ssh.authorizedKeys: expected a string/);
  });

  test('policies: typed, ranged, no unknown fields', () => {
    expect(checkPolicy({ refuseVfs: true, latencyMs: 5, errorVerb: { verb: 'get', error: ['NoSuchFile'] }, dropOnVerb: null })).toEqual({
      refuseVfs: true,
      latencyMs: 5,
      errorVerb: { verb: 'get', error: ['NoSuchFile'] },
      dropOnVerb: null,
    });
    expect(rejected('ui:policy:set', { ownerId: 'p1', policy: { refuseVfs: 1 } })).toMatch(/policy.refuseVfs: expected true or false/);
    expect(rejected('ui:policy:set', { ownerId: 'p1', policy: { latencyMs: -1 } })).toMatch(/policy.latencyMs: expected a whole number/);
    expect(rejected('ui:policy:set', { ownerId: 'p1', policy: { latencyMs: 1.5 } })).toMatch(/whole number/);
    expect(rejected('ui:policy:set', { ownerId: 'p1', policy: { errorVerb: { verb: 'get', error: [] } } })).toMatch(/needs at least the error name/);
    expect(rejected('ui:policy:set', { ownerId: 'p1', policy: { emulate: { maxProtocol: 4, unknownVerbs: [], softwareVersion: null } } })).toMatch(/maxProtocol/);
    expect(rejected('ui:policy:set', { ownerId: 'p1', policy: { sudo: true } })).toMatch(/unknown field 'sudo'/);
  });

  test('a single call: URL, verb without spaces, string args, base64 body', () => {
    expect(validateArgs('ui:call:send', { url: 'bzr://127.0.0.1:1/', verb: 'get', args: ['README'], bodyBase64: 'aGk=' }).ok).toBe(true);
    expect(rejected('ui:call:send', { url: 'bzr://127.0.0.1:1/', verb: 'get it', args: [] })).toMatch(/whitespace/);
    expect(rejected('ui:call:send', { url: 'bzr://127.0.0.1:1/', verb: 'get', args: [1] })).toMatch(/args\[0\]: expected a string/);
    expect(rejected('ui:call:send', { url: 'bzr://127.0.0.1:1/', verb: 'get', args: [], bodyBase64: 'not base64!' })).toMatch(/bodyBase64: not valid base64/);
  });

  test('a probe takes any scheme (the probe explains wrong ones) but must be a URL', () => {
    expect(validateArgs('ui:probe:start', { url: 'ssh://host/path' }).ok).toBe(true);
    expect(rejected('ui:probe:start', { url: 'host:path' })).toMatch(/is not a URL/);
  });

  test('listen addresses', () => {
    expect(checkListen('127.0.0.1:4155')).toBe('127.0.0.1:4155');
    expect(checkListen('[::1]:0')).toBe('[::1]:0');
    expect(() => checkListen('127.0.0.1')).toThrow(/not HOST:PORT/);
  });
});

test('SSH trust fields: a passphrase is any string and never echoed; acceptNewHostKey is any or a SHA256 fingerprint', () => {
  const fp = `SHA256:${'A'.repeat(43)}`;
  for (const command of ['ui:probe:start', 'ui:call:send', 'ui:proxy:start'] as const) {
    const base = command === 'ui:proxy:start' ? { upstream: 'bzr+ssh://h/', listen: '127.0.0.1:0' } : command === 'ui:call:send' ? { url: 'bzr+ssh://h/', verb: 'hello', args: [] } : { url: 'bzr+ssh://h/' };
    expect(validateArgs(command, { ...base, passphrase: 'p w', acceptNewHostKey: fp })).toMatchObject({ ok: true, data: { passphrase: 'p w', acceptNewHostKey: fp } });
    expect(validateArgs(command, { ...base, acceptNewHostKey: 'any' })).toMatchObject({ ok: true });
    const bad = validateArgs(command, { ...base, acceptNewHostKey: 'yes please', passphrase: 'x'.repeat(5000) });
    expect(bad.ok).toBe(false);
    const badPass = validateArgs(command, { ...base, passphrase: 'SECRETx'.repeat(1000) });
    expect(badPass.ok).toBe(false);
    expect(JSON.stringify(badPass)).not.toContain('SECRETx');
  }
});
