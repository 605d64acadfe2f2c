/**
 * How `hpss call`, `probe` and `proxy` trust a bzr+ssh:// host: `--identity FILE`,
 * `--known-hosts FILE`, `--passphrase-env VAR` (the variable holding the key's
 * passphrase; without it an encrypted key is asked for on a terminal, never echoed) and
 * `--accept-new-host-key` (a host key known_hosts lacks is accepted, its fingerprint
 * shown, and written there; a changed key is still refused).
 */
import { identityNeedsPassphrase } from '../../medium/ssh/identity';
import type { SshTrustOptions } from '../../medium/ssh/ssh-session';

export const SSH_CLIENT_OPTIONS = {
  identity: { type: 'string' },
  'known-hosts': { type: 'string' },
  'passphrase-env': { type: 'string' },
  'accept-new-host-key': { type: 'boolean', default: false },
} as const;

export const SSH_CLIENT_USAGE = '[--identity FILE] [--known-hosts FILE] [--passphrase-env VAR] [--accept-new-host-key]';

export class SshOptionError extends Error {
  override readonly name = 'SshOptionError';
}

type SshValues = { identity?: unknown; 'known-hosts'?: unknown; 'passphrase-env'?: unknown; 'accept-new-host-key'?: unknown };

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(text);
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          return reject(new SshOptionError('no passphrase entered'));
        }
        text = ch === '\u007f' || ch === '\b' ? text.slice(0, -1) : text + ch;
      }
    };
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** The trust choices the options make; asks for a passphrase on a terminal when the key needs one. */
export async function sshTrustFromValues(values: SshValues): Promise<SshTrustOptions> {
  const identityFile = typeof values.identity === 'string' ? values.identity : undefined;
  const knownHostsFile = typeof values['known-hosts'] === 'string' ? values['known-hosts'] : undefined;
  const acceptNewHostKey = values['accept-new-host-key'] === true ? 'any' : undefined;
  let passphrase: string | undefined;
  const variable = values['passphrase-env'];
  if (typeof variable === 'string') {
    passphrase = process.env[variable];
    if (passphrase === undefined) throw new SshOptionError(`--passphrase-env ${variable}: the environment variable ${variable} is not set`);
  } else if (identityFile !== undefined && process.stdin.isTTY && identityNeedsPassphrase(identityFile)) {
    passphrase = await promptHidden(`Enter passphrase for key '${identityFile}': `);
  }
  return { identityFile, knownHostsFile, passphrase, acceptNewHostKey };
}
