/**
 * Real OpenSSH client keys and a `BRZ_SSH` wrapper for pointing a real brz at an SSH
 * server under test, plus a seeded branch and brz's own `-Dhpss` call count.
 *
 * brz's "openssh" vendor runs plain `ssh` with no way to pass -i or -F, so BRZ_SSH
 * names a wrapper that runs `ssh -F CONFIG "$@"` (as tools/bzr-test-hosts does); the
 * config names the key and a known_hosts file holding the server's host key.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Makes an unencrypted OpenSSH key pair `dir/name` (+ `.pub`); returns the private key's path. */
export function makeClientKey(dir: string, name: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519'): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${name}@hpss-test`, '-f', file]);
  return file;
}

/** Writes an ssh config and a wrapper for BRZ_SSH; returns the wrapper's path. */
export function sshWrapper(dir: string, key: string, knownHosts: string, name = 'ssh'): string {
  const config = join(dir, `${name}_config`);
  const lines = [`IdentityFile ${key}`, 'IdentitiesOnly yes', `UserKnownHostsFile ${knownHosts}`, 'StrictHostKeyChecking yes', 'BatchMode yes', 'LogLevel ERROR'];
  writeFileSync(config, lines.join('\n') + '\n');
  const wrapper = join(dir, name);
  writeFileSync(wrapper, `#!/bin/sh\nexec ssh -F ${config} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** An isolated brz environment under `dir` (config, log, identity). */
export function brzEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  mkdirSync(join(dir, 'brz-home'), { recursive: true });
  return { ...process.env, BRZ_HOME: join(dir, 'brz-home'), BRZ_LOG: join(dir, 'brz.log'), BRZ_EMAIL: 'Test <test@example.invalid>', ...extra };
}

/** A branch `root/trunk` with one commit whose message is `message`. */
export function seedBranch(root: string, env: NodeJS.ProcessEnv, message: string): string {
  const trunk = join(root, 'trunk');
  mkdirSync(root, { recursive: true });
  execFileSync('brz', ['init', '-q', trunk], { env });
  writeFileSync(join(trunk, 'README'), 'hello\n');
  execFileSync('brz', ['add', '-q', 'README'], { cwd: trunk, env });
  execFileSync('brz', ['commit', '-q', '-m', message], { cwd: trunk, env });
  return trunk;
}

/** brz's DebugCounter lines (`-Dhpss`) in its log: `HPSS calls: N (M vfs) <medium>`. */
export function hpssCallLines(logFile: string): { calls: number; vfs: number; medium: string }[] {
  const text = readFileSync(logFile, 'utf8');
  return [...text.matchAll(/HPSS calls: (\d+) \((\d+) vfs\) (.*)/g)].map((m) => ({ calls: Number(m[1]), vfs: Number(m[2]), medium: m[3] }));
}
