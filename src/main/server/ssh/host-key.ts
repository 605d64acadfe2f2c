/**
 * The embedded SSH server's host key: from `--host-key FILE`, or made once and kept
 * under the state folder, so clients' known_hosts entries stay valid across runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expandHome } from '../../medium/ssh/expand-home';
import { join } from 'node:path';
import { utils, type ParsedKey } from 'ssh2';
import { hpssStateDir } from '../../trace/state-dir';
import { fingerprint } from './authorized-keys';
import { SshSetupError } from './errors';

export interface HostKey {
  /** The private key as read (what ssh2's Server takes). */
  privateKey: string;
  key: ParsedKey;
  file: string;
  /** True when this run generated it. */
  created: boolean;
  fingerprint: string;
}

function defaultHostKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(hpssStateDir(env), 'host_key');
}

/** Loads `file` when given; otherwise loads or creates the default host key. */
export function loadHostKey(file?: string, env: NodeJS.ProcessEnv = process.env): HostKey {
  if (file !== undefined) return readHostKey(expandHome(file), false);
  const kept = defaultHostKeyFile(env);
  if (existsSync(kept)) return readHostKey(kept, false);
  const pair = utils.generateKeyPairSync('ed25519', {});
  mkdirSync(join(kept, '..'), { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key another process made in the meantime; use theirs.
    writeFileSync(kept, pair.private, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readHostKey(kept, false);
    throw new SshSetupError(`cannot keep the host key in ${kept}: ${err instanceof Error ? err.message : String(err)}`);
  }
  writeFileSync(`${kept}.pub`, pair.public + '\n', { mode: 0o644 });
  return readHostKey(kept, true);
}

function readHostKey(file: string, created: boolean): HostKey {
  let privateKey: string;
  try {
    privateKey = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SshSetupError(`cannot read host key ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const key = utils.parseKey(privateKey);
  if (key instanceof Error) throw new SshSetupError(`host key ${file}: ${key.message}`);
  if (!key.isPrivateKey()) throw new SshSetupError(`host key ${file} is a public key; give the private key`);
  return { privateKey, key, file, created, fingerprint: fingerprint(key.getPublicSSH()) };
}

/** A known_hosts line for this key at HOST:PORT, as OpenSSH writes it. */
export function knownHostsLine(host: string, port: number, key: ParsedKey): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${key.type} ${key.getPublicSSH().toString('base64')}`;
}
