/**
 * An identity file checked before it is offered: readable, a private key ssh2 can parse,
 * and, when encrypted, opened with the passphrase given. An encrypted key without its
 * passphrase (or with a wrong one) is a `key-passphrase` error naming the file, so a
 * probe says "key passphrase" instead of blaming the server. The passphrase never
 * appears in any message.
 */
import { readFileSync } from 'node:fs';
import { utils } from 'ssh2';
import { HpssError } from '../../../shared/protocol/errors';

export type IdentityCheck =
  | { status: 'ok'; key: Buffer; keyType: string }
  | { status: 'needs-passphrase' }
  | { status: 'wrong-passphrase' }
  | { status: 'unusable'; reason: string };

/** ssh2's words for an encrypted key it could not open (OpenSSH and PEM formats). */
const NO_PASSPHRASE = /no passphrase given/i;
const BAD_PASSPHRASE = /bad passphrase|integrity check failed/i;

export function checkIdentity(file: string, passphrase?: string): IdentityCheck {
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch (err) {
    return { status: 'unusable', reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message };
  }
  const parsed = utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    if (NO_PASSPHRASE.test(parsed.message)) return { status: 'needs-passphrase' };
    if (BAD_PASSPHRASE.test(parsed.message)) return { status: passphrase === undefined ? 'needs-passphrase' : 'wrong-passphrase' };
    return { status: 'unusable', reason: parsed.message };
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!first.isPrivateKey()) return { status: 'unusable', reason: 'it holds a public key, not a private one' };
  return { status: 'ok', key, keyType: first.type };
}

/** Whether the file is an encrypted private key that needs a passphrase to open. */
export function identityNeedsPassphrase(file: string): boolean {
  return checkIdentity(file).status === 'needs-passphrase';
}

export function identityError(file: string, check: Exclude<IdentityCheck, { status: 'ok' }>): HpssError {
  switch (check.status) {
    case 'needs-passphrase':
      return new HpssError('ssh', 'key-passphrase', `key passphrase: the identity file ${file} is encrypted and no passphrase was given`, { fatal: true });
    case 'wrong-passphrase':
      return new HpssError('ssh', 'key-passphrase', `key passphrase: the passphrase given does not open the identity file ${file}`, { fatal: true });
    case 'unusable':
      return new HpssError('ssh', 'identity-unusable', `the identity file ${file} is not a usable private key (${check.reason})`, { fatal: true });
  }
}
