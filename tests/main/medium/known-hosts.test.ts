import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { appendKnownHost, checkHostKey, fingerprint, keyTypeOfBlob, knownHostsName, parseKnownHosts, patternsMatch, removeKnownHostCommand } from '../../../src/main/medium/ssh/known-hosts';

// Real keys from ssh-keygen, and hashed entries from `ssh-keygen -H`: OpenSSH's own formats.
let dir: string;
let keyA: { type: string; b64: string; blob: Buffer };
let keyB: { type: string; b64: string; blob: Buffer };
let rsa: { type: string; b64: string; blob: Buffer };

function makeKey(name: string, type: string) {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file], { stdio: 'ignore' });
  const [keyType, b64] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  return { type: keyType, b64, blob: Buffer.from(b64, 'base64') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-known-hosts-'));
  keyA = makeKey('a', 'ed25519');
  keyB = makeKey('b', 'ed25519');
  rsa = makeKey('r', 'rsa');
});

test('names: host on port 22, [host]:port otherwise', () => {
  expect(knownHostsName('example.org', 22)).toBe('example.org');
  expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
});

test('patterns: lists, wildcards, negation', () => {
  expect(patternsMatch('a.example,b.example', 'b.example')).toBe(true);
  expect(patternsMatch('*.example', 'host.example')).toBe(true);
  expect(patternsMatch('host?.example', 'host1.example')).toBe(true);
  expect(patternsMatch('*.example,!bad.example', 'bad.example')).toBe(false);
  expect(patternsMatch('[127.0.0.1]:2222', '[127.0.0.1]:2222')).toBe(true);
  expect(patternsMatch('127.0.0.1', '[127.0.0.1]:2222')).toBe(false);
});

test('match, changed, unknown (with the types it does know), revoked', () => {
  const entries = parseKnownHosts(
    [
      '# comment',
      `[h]:2222 ${keyA.type} ${keyA.b64} a comment`,
      `other ${keyB.type} ${keyB.b64}`,
      `@revoked * ${rsa.type} ${rsa.b64}`,
      `@cert-authority * ${keyB.type} ${keyB.b64}`,
    ].join('\n'),
  );
  expect(keyTypeOfBlob(keyA.blob)).toBe('ssh-ed25519');
  expect(checkHostKey(entries, 'h', 2222, keyA.blob)).toEqual({ status: 'match', line: 2 });
  expect(checkHostKey(entries, 'h', 2222, keyB.blob)).toEqual({ status: 'changed', line: 2, knownKey: keyA.blob });
  expect(checkHostKey(entries, 'h', 22, keyA.blob)).toEqual({ status: 'unknown', otherTypes: [] });
  expect(checkHostKey(entries, 'h', 2222, rsa.blob)).toEqual({ status: 'revoked', line: 4 });
  const rsaOnly = parseKnownHosts(`[h]:2222 ${keyA.type} ${keyA.b64}`);
  expect(checkHostKey(rsaOnly, 'h', 2222, rsa.blob)).toEqual({ status: 'unknown', otherTypes: ['ssh-ed25519'] });
});

test('hashed |1| entries written by ssh-keygen -H', () => {
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `[h]:2222 ${keyA.type} ${keyA.b64}\nplain.example ${keyB.type} ${keyB.b64}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  const entries = parseKnownHosts(readFileSync(file, 'utf8'));
  expect(entries.every((e) => e.patterns.startsWith('|1|'))).toBe(true);
  expect(checkHostKey(entries, 'h', 2222, keyA.blob).status).toBe('match');
  expect(checkHostKey(entries, 'plain.example', 22, keyB.blob).status).toBe('match');
  expect(checkHostKey(entries, 'plain.example', 22, keyA.blob).status).toBe('changed');
  expect(checkHostKey(entries, 'elsewhere', 22, keyA.blob).status).toBe('unknown');
});

test('fingerprints are OpenSSH SHA256 fingerprints', () => {
  const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'a.pub')], { encoding: 'utf8' });
  expect(line.split(' ')[1]).toBe(fingerprint(keyA.blob));
});

test('a new key is appended as one plain line, after a newline the file lacked; the removal command quotes the name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpss-kh-append-'));
  const file = join(dir, 'sub', 'known_hosts');
  expect(appendKnownHost(file, 'h', 2222, keyA.blob)).toBe(1);
  writeFileSync(file, `${readFileSync(file, 'utf8')}# no newline at the end`);
  expect(appendKnownHost(file, 'plain.example', 22, keyB.blob)).toBe(3);
  const entries = parseKnownHosts(readFileSync(file, 'utf8'));
  expect(checkHostKey(entries, 'h', 2222, keyA.blob)).toEqual({ status: 'match', line: 1 });
  expect(checkHostKey(entries, 'plain.example', 22, keyB.blob)).toEqual({ status: 'match', line: 3 });
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(removeKnownHostCommand('h', 2222, file)).toBe(`ssh-keygen -R '[h]:2222' -f '${file}'`);
  rmSync(dir, { recursive: true, force: true });
});
