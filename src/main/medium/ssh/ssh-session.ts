/**
 * An SSH connection made in the steps a diagnosis names: resolve, TCP connect, SSH handshake,
 * host key, authentication, then the remote command. Each step is reported (time, bytes, what
 * happened) to an optional listener, and each failure is its own HpssError code, so the medium
 * and `hpss probe` share one path.
 */
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, type AuthenticationType, type ClientChannel } from 'ssh2';
import { unknownHostKeyMessage } from '../../../shared/host-key-offer';
import { HpssError } from '../../../shared/protocol/errors';
import { formatHostPort, SSH_DEFAULT_PORT } from '../../../shared/host-port';
import { reportStep, resolveAndConnect, type ConnectStepListener } from '../tcp-client-connect';
import { expandHome } from './expand-home';
import { checkIdentity, identityError } from './identity';
import { appendKnownHost, checkHostKey, fingerprint, keyTypeOfBlob, knownHostsName, knownKeyTypes, readKnownHosts, removeKnownHostCommand, type HostKeyCheck } from './known-hosts';


export interface SshParams {
  host: string;
  port?: number;
  /** Default: the local user's name, as ssh does. */
  username?: string;
  /** A private key file (OpenSSH or PEM). Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa when no agent. */
  identityFile?: string;
  /** Opens an encrypted identity file; never shown. */
  passphrase?: string;
  password?: string;
  /** The agent socket; default `SSH_AUTH_SOCK`. */
  agentSocket?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /**
   * A host key that known_hosts does not have yet (never a changed or revoked one) is
   * accepted and appended to it: `any` key (the fingerprint is reported in the host-key
   * step), or only the one with this `SHA256:…` fingerprint (the one the user was shown).
   */
  acceptNewHostKey?: string;
  timeoutMs?: number;
}

/** What a user chooses about trust on a bzr+ssh connection: the key, its passphrase, the hosts trusted. */
export type SshTrustOptions = Pick<SshParams, 'identityFile' | 'passphrase' | 'knownHostsFile' | 'acceptNewHostKey'>;

export interface SshSession {
  client: Client;
  socket: Socket;
  peer: string;
  username: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

type AuthMethod = { type: 'publickey'; username: string; key: Buffer | string; passphrase?: string } | { type: 'agent'; username: string; agent: string } | { type: 'password'; username: string; password: string };

interface Credentials {
  methods: AuthMethod[];
  /** Why an identity file was left out (encrypted without its passphrase, unreadable): the fault if nothing else works. */
  keyProblem: HpssError | null;
}

function credentials(params: SshParams, username: string): Credentials {
  const methods: AuthMethod[] = [];
  let keyProblem: HpssError | null = null;
  const offer = (file: string) => {
    const check = checkIdentity(file, params.passphrase);
    if (check.status === 'ok') methods.push({ type: 'publickey', username, key: check.key, passphrase: params.passphrase });
    else keyProblem ??= identityError(file, check);
  };
  const agent = params.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (params.identityFile) offer(expandHome(params.identityFile));
  else if (!agent) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = join(homedir(), '.ssh', name);
      if (existsSync(file)) offer(file);
    }
  }
  if (agent) methods.push({ type: 'agent', username, agent });
  if (params.password !== undefined) methods.push({ type: 'password', username, password: params.password });
  return { methods, keyProblem };
}

/** ssh2 host key algorithm names for a known_hosts key type. */
function algorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

const ALL_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

interface HostKeyContext {
  host: string;
  port: number;
  file: string;
}

function hostKeyError(check: Exclude<HostKeyCheck, { status: 'match' }>, ctx: HostKeyContext, key: Buffer): HpssError {
  const name = knownHostsName(ctx.host, ctx.port);
  const type = keyTypeOfBlob(key);
  const fp = fingerprint(key);
  switch (check.status) {
    case 'changed':
      return new HpssError(
        'ssh',
        'host-key-changed',
        `Host key verification failed: the ${type} host key for ${name} has CHANGED: ${ctx.file} line ${check.line} has ${fingerprint(check.knownKey)}, the server offered ${fp}. ` +
          `If the change is expected, remove the old key: ${removeKnownHostCommand(ctx.host, ctx.port, ctx.file)}`,
      );
    case 'revoked':
      return new HpssError('ssh', 'host-key-revoked', `Host key verification failed: the ${type} host key for ${name} is revoked (${ctx.file} line ${check.line}; ${fp})`);
    case 'unknown':
      return new HpssError('ssh', 'host-key-unknown', unknownHostKeyMessage({ keyType: type, name, fingerprint: fp }, ctx.file, check.otherTypes));
  }
}

/** Whether a new (unknown) host key is accepted: any, or the one whose fingerprint the user confirmed. */
function acceptsNewKey(accept: string | undefined, key: Buffer): boolean {
  return accept === 'any' || (accept !== undefined && accept === fingerprint(key));
}

/** Connects, checks the host key and authenticates; rejects with a precise HpssError. */
export async function openSshSession(params: SshParams, onStep: ConnectStepListener = () => undefined): Promise<SshSession> {
  const port = params.port ?? SSH_DEFAULT_PORT;
  const username = params.username ?? userInfo().username;
  const knownHostsFile = expandHome(params.knownHostsFile) ?? join(homedir(), '.ssh', 'known_hosts');
  const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const socket = await resolveAndConnect(params.host, port, onStep, timeoutMs);
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  const peer = formatHostPort(socket.remoteAddress ?? params.host, port);
  const entries = readKnownHosts(knownHostsFile);
  const name = knownHostsName(params.host, port);
  const known = knownKeyTypes(entries, params.host, port).flatMap(algorithmsFor);
  const serverHostKey = [...new Set([...known, ...ALL_HOST_KEY_ALGORITHMS])];
  const { methods, keyProblem } = credentials(params, username);
  const client = new Client();
  const socketBytes = () => socket.bytesRead + socket.bytesWritten;

  let hostKeyFailure: HpssError | null = null;
  let hostKeySeen = false;
  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', (err: Error & { level?: string }) => {
      if (hostKeyFailure) reject(hostKeyFailure);
      else if (err.level === 'client-authentication') {
        if (keyProblem) return reject(keyProblem);
        const tried = methods.map((m) => m.type).join(', ') || 'none';
        reject(new HpssError('ssh', 'auth-failed', `Permission denied: ${username}@${peer} refused every authentication method we offered (${tried})`));
      } else if (err.level === 'client-timeout') reject(new HpssError('timeout', 'ssh-timeout', `SSH to ${peer}: ${err.message}`));
      else reject(new HpssError('ssh', hostKeySeen ? 'ssh-failed' : 'ssh-handshake-failed', `SSH to ${peer}: ${err.message}`));
    });
    client.once('close', () => reject(new HpssError('ssh', 'ssh-handshake-failed', `SSH to ${peer}: the server closed the connection`)));
  });

  const handshake = new Promise<string>((resolve, reject) => {
    client.connect({
      sock: socket,
      username,
      readyTimeout: timeoutMs,
      algorithms: { serverHostKey: serverHostKey as never },
      authHandler: methods as unknown as AuthenticationType[],
      hostVerifier: (key: Buffer) => {
        hostKeySeen = true;
        const server = (client as unknown as { _remoteVer?: string })._remoteVer ?? 'unknown software';
        onStep({ step: 'ssh-handshake', ok: true, ms: lap(), bytes: socketBytes(), detail: `server ${server}` });
        const check = checkHostKey(entries, params.host, port, key);
        if (check.status === 'match') {
          onStep({ step: 'host-key', ok: true, ms: lap(), detail: `${keyTypeOfBlob(key)} ${fingerprint(key)} matches ${knownHostsFile} line ${check.line}` });
          resolve(server);
          return true;
        }
        if (check.status === 'unknown' && acceptsNewKey(params.acceptNewHostKey, key)) {
          try {
            const line = appendKnownHost(knownHostsFile, params.host, port, key);
            onStep({ step: 'host-key', ok: true, ms: lap(), detail: `${keyTypeOfBlob(key)} ${fingerprint(key)} accepted as a new key for ${name}; added to ${knownHostsFile} line ${line}` });
            resolve(server);
            return true;
          } catch (err) {
            hostKeyFailure = new HpssError('ssh', 'known-hosts-unwritable', `could not add the host key for ${name} to ${knownHostsFile}: ${(err as Error).message}`);
            onStep({ step: 'host-key', ok: false, ms: lap(), detail: hostKeyFailure.message });
            reject(hostKeyFailure);
            return false;
          }
        }
        hostKeyFailure = hostKeyError(check, { host: params.host, port, file: knownHostsFile }, key);
        onStep({ step: 'host-key', ok: false, ms: lap(), detail: hostKeyFailure.message });
        reject(hostKeyFailure);
        return false;
      },
    });
    ready.catch(reject);
  });

  try {
    await handshake.catch((err: HpssError) => {
      if (!hostKeySeen) onStep({ step: 'ssh-handshake', ok: false, ms: lap(), bytes: socketBytes(), detail: err.message });
      throw err;
    });
    const authenticated = () => {
      if (methods.length > 0) return ready;
      if (keyProblem) return Promise.reject(keyProblem);
      return Promise.reject(new HpssError('ssh', 'no-credentials', 'no SSH credentials: no agent (SSH_AUTH_SOCK is not set), no identity file given and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa'));
    };
    await reportStep(onStep, 'authentication', authenticated, () => `authenticated as ${username} (${methods.map((m) => m.type).join(', ')})`, socketBytes);
  } catch (err) {
    client.end();
    socket.destroy();
    throw err;
  }
  // Later trouble (the connection drops) ends the exec channel, which the medium sees; an
  // 'error' without a listener would throw instead.
  client.on('error', () => undefined);
  return { client, socket, peer, username };
}

/** Starts the remote command on a new exec channel. */
export function execRemote(session: SshSession, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    session.client.exec(command, (err, channel) => {
      if (err) reject(new HpssError('ssh', 'exec-failed', `the SSH server refused to run '${command}': ${err.message}`));
      else resolve(channel);
    });
  });
}
