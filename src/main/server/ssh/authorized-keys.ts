/**
 * OpenSSH `authorized_keys` for the embedded SSH server: which public keys may log in.
 *
 * Lines with options (`command="…"`, `from="…"`, `restrict`, …) are skipped, not
 * accepted: we cannot honour those restrictions, and accepting the key without them
 * would grant more than the file's owner meant.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expandHome } from '../../medium/ssh/expand-home';
import { utils, type ParsedKey } from 'ssh2';
import { SshSetupError } from './errors';

const KEY_TYPES = new Set(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

export interface AuthorizedKey {
  key: ParsedKey;
  /** Public key blob, as the client sends it in a publickey request. */
  blob: Buffer;
  comment: string;
  line: number;
}

export interface AuthorizedKeys {
  keys: AuthorizedKey[];
  /** Lines not used, with why (for a warning at startup). */
  skipped: { line: number; reason: string }[];
}

export function readAuthorizedKeys(given: string): AuthorizedKeys {
  const file = expandHome(given);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SshSetupError(`cannot read authorized keys ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = parseAuthorizedKeys(text);
  if (result.keys.length === 0) throw new SshSetupError(`no usable key in ${file}`);
  return result;
}

export function parseAuthorizedKeys(text: string): AuthorizedKeys {
  const keys: AuthorizedKey[] = [];
  const skipped: AuthorizedKeys['skipped'] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [type, data, ...comment] = line.split(/\s+/);
    if (!KEY_TYPES.has(type)) {
      skipped.push({ line: index + 1, reason: KEY_TYPES.has(data ?? '') ? 'has options, which are not supported' : `unsupported key type ${type}` });
      return;
    }
    const parsed = utils.parseKey(`${type} ${data ?? ''}`);
    if (parsed instanceof Error) {
      skipped.push({ line: index + 1, reason: parsed.message });
      return;
    }
    keys.push({ key: parsed, blob: parsed.getPublicSSH(), comment: comment.join(' '), line: index + 1 });
  });
  return { keys, skipped };
}

/** The authorized key whose blob is exactly `blob`, if any. */
export function findAuthorizedKey(keys: AuthorizedKeys, blob: Buffer): AuthorizedKey | undefined {
  return keys.keys.find((k) => k.blob.length === blob.length && timingSafeEqual(k.blob, blob));
}

/** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}
