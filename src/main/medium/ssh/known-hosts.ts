/**
 * Host key checking against an OpenSSH known_hosts file, as `ssh -o StrictHostKeyChecking=yes`
 * does it: plain and `[host]:port` patterns (with `*`, `?` and `!` negation), hashed `|1|salt|hash`
 * entries (HMAC-SHA1 of the name), `@revoked` keys. `@cert-authority` lines are skipped: we do
 * not verify host certificates.
 *
 * Line layout: `[@marker] patterns keytype base64-key [comment]`.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  marker: '@revoked' | null;
  patterns: string;
  keyType: string;
  key: Buffer;
  line: number;
}

export type HostKeyCheck =
  | { status: 'match'; line: number }
  /** known_hosts has a key of this type for the host (`knownKey`, on `line`), and it is a different one. */
  | { status: 'changed'; line: number; knownKey: Buffer }
  /** The key is listed as revoked. */
  | { status: 'revoked'; line: number }
  /** No key of this type for the host; `otherTypes` lists the types it does have. */
  | { status: 'unknown'; otherTypes: string[] };

/** The name known_hosts files use for a host: `host` on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') return;
      marker = '@revoked';
      fields.shift();
    }
    if (fields.length < 3) return;
    entries.push({ marker, patterns: fields[0], keyType: fields[1], key: Buffer.from(fields[2], 'base64'), line: index + 1 });
  });
  return entries;
}

export function readKnownHosts(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** Whether an entry's pattern list names `name` (a negated pattern that matches excludes it). */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key type written inside an SSH public key blob (its first string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's `SHA256:…` fingerprint of a public key blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyCheck {
  const name = knownHostsName(host, port);
  const keyType = keyTypeOfBlob(key);
  const forHost = entries.filter((e) => patternsMatch(e.patterns, name));
  const revoked = forHost.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const valid = forHost.filter((e) => e.marker === null);
  const same = valid.find((e) => e.key.equals(key));
  if (same) return { status: 'match', line: same.line };
  const sameType = valid.find((e) => e.keyType === keyType);
  if (sameType) return { status: 'changed', line: sameType.line, knownKey: sameType.key };
  return { status: 'unknown', otherTypes: [...new Set(valid.map((e) => e.keyType))] };
}

/** The key types known for a host, to offer first in the handshake (as OpenSSH orders them). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entries.filter((e) => e.marker === null && patternsMatch(e.patterns, name)).map((e) => e.keyType))];
}

/** The `ssh-keygen -R` line that removes a host's old keys from a known_hosts file. */
export function removeKnownHostCommand(host: string, port: number, file: string): string {
  return `ssh-keygen -R '${knownHostsName(host, port)}' -f '${file}'`;
}

/**
 * Adds a host key as OpenSSH's `StrictHostKeyChecking=accept-new` does: one plain
 * `name keytype base64` line at the end of the file, which (and whose folder) is created
 * private when missing. A file that does not end in a newline gets one first. Answers
 * the line number written.
 */
export function appendKnownHost(file: string, host: string, port: number, key: Buffer): number {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lead = text === '' || text.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${lead}${knownHostsName(host, port)} ${keyTypeOfBlob(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
  return (text + lead).split('\n').length;
}
