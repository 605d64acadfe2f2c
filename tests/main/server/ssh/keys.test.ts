import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findAuthorizedKey, fingerprint, parseAuthorizedKeys, readAuthorizedKeys } from '../../../../src/main/server/ssh/authorized-keys';
import { knownHostsLine, loadHostKey } from '../../../../src/main/server/ssh/host-key';
import { parseRemoteCommand } from '../../../../src/main/server/ssh/remote-command';

let dir: string;
const pub: Record<string, string> = {};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-keys-'));
  for (const type of ['ed25519', 'rsa', 'ecdsa']) {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${type}@test`, '-f', join(dir, type)]);
    pub[type] = readFileSync(join(dir, `${type}.pub`), 'utf8').trim();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sshKeygenFingerprint = (file: string): string => execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' }).split(' ')[1];

test('parses ed25519, rsa and ecdsa keys from OpenSSH files, with fingerprints like ssh-keygen', () => {
  const keys = parseAuthorizedKeys(`# team\n\n${pub.ed25519}\n${pub.rsa}\n${pub.ecdsa}\n`);
  expect(keys.skipped).toEqual([]);
  expect(keys.keys.map((k) => [k.key.type, k.comment, k.line])).toEqual([
    ['ssh-ed25519', 'ed25519@test', 3],
    ['ssh-rsa', 'rsa@test', 4],
    ['ecdsa-sha2-nistp256', 'ecdsa@test', 5],
  ]);
  for (const [i, type] of ['ed25519', 'rsa', 'ecdsa'].entries()) {
    expect(fingerprint(keys.keys[i].blob)).toBe(sshKeygenFingerprint(join(dir, `${type}.pub`)));
    expect(findAuthorizedKey(keys, keys.keys[i].blob)).toBe(keys.keys[i]);
  }
});

test('skips lines with options and unknown types, and refuses a file with no usable key', () => {
  const keys = parseAuthorizedKeys(`command="ls" ${pub.rsa}\nssh-dss AAAA x\n${pub.ed25519}\n`);
  expect(keys.keys).toHaveLength(1);
  expect(keys.skipped).toEqual([
    { line: 1, reason: 'has options, which are not supported' },
    { line: 2, reason: 'unsupported key type ssh-dss' },
  ]);
  const only = parseAuthorizedKeys(pub.ed25519);
  expect(findAuthorizedKey(only, parseAuthorizedKeys(pub.rsa).keys[0].blob)).toBeUndefined();
  const file = join(dir, 'empty_keys');
  writeFileSync(file, `restrict ${pub.ed25519}\n`);
  expect(() => readAuthorizedKeys(file)).toThrow(/no usable key in .*empty_keys/);
});

test('a host key is made once, kept 0600 under XDG_STATE_HOME, and reused', () => {
  const env = { XDG_STATE_HOME: join(dir, 'state') };
  const first = loadHostKey(undefined, env);
  expect(first.created).toBe(true);
  expect(first.file).toBe(join(dir, 'state', 'hpss-inspector', 'host_key'));
  expect(statSync(first.file).mode & 0o777).toBe(0o600);
  expect(first.key.type).toBe('ssh-ed25519');
  const again = loadHostKey(undefined, env);
  expect(again.created).toBe(false);
  expect(again.fingerprint).toBe(first.fingerprint);
  expect(first.fingerprint).toBe(sshKeygenFingerprint(`${first.file}.pub`));
  expect(knownHostsLine('127.0.0.1', 2222, first.key)).toBe(`[127.0.0.1]:2222 ${readFileSync(`${first.file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`);
});

test('--host-key FILE loads an OpenSSH private key and refuses a public one', () => {
  expect(loadHostKey(join(dir, 'rsa')).key.type).toBe('ssh-rsa');
  expect(() => loadHostKey(join(dir, 'rsa.pub'))).toThrow(/is a public key/);
  expect(() => loadHostKey(join(dir, 'missing'))).toThrow(/cannot read host key/);
});

test('accepts the command brz sends, under any remote path, and nothing else', () => {
  expect(parseRemoteCommand('bzr serve --inet --directory=/ --allow-writes')).toEqual({
    ok: true,
    request: { program: 'bzr', directory: '/', allowWrites: true, clientTimeoutSec: null },
  });
  expect(parseRemoteCommand('/opt/x/bin/hpss serve --inet --directory /srv --client-timeout=2.5')).toEqual({
    ok: true,
    request: { program: '/opt/x/bin/hpss', directory: '/srv', allowWrites: false, clientTimeoutSec: 2.5 },
  });
  expect(parseRemoteCommand('brz serve --bzr --inet').ok).toBe(true);
  expect(parseRemoteCommand('ls -la')).toMatchObject({ ok: false, reason: /only `bzr serve --inet/ });
  expect(parseRemoteCommand('bzr serve --port=4155')).toMatchObject({ ok: false });
  expect(parseRemoteCommand('notbzr serve --inet')).toMatchObject({ ok: false });
  expect(parseRemoteCommand('bzr serve --inet --directory')).toEqual({ ok: false, reason: '--directory needs a value' });
  expect(parseRemoteCommand('bzr serve --inet --directory=/ ; rm -rf /')).toEqual({ ok: false, reason: 'unsupported option ;' });
});
