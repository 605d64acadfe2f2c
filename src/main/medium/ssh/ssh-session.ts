/**
 * An SSH connection made in the steps a diagnosis names: resolve, TCP connect, SSH handshake,
 * host key, authentication, then the remote command. Each step is reported (time, bytes, what
 * happened) to an optional listener, and each failure is its own HpssError code, so the medium
 * and `hpss probe` share one path.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, type AuthenticationType, type ClientChannel } from 'ssh2';
import { HpssError } from '../../../shared/protocol/errors';
import { formatPeer, reportStep, resolveAndConnect, type ConnectStepListener } from '../tcp-client-connect';
import { checkHostKey, fingerprint, keyTypeOfBlob, knownHostsName, knownKeyTypes, readKnownHosts, type HostKeyCheck } from './known-hosts';

export const SSH_DEFAULT_PORT = 22;

export interface SshParams {
  host: string;
  port?: number;
  /** Default: the local user's name, as ssh does. */
  username?: string;
  /** A private key file (OpenSSH or PEM). Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa when no agent. */
  identityFile?: string;
  passphrase?: string;
  password?: string;
  /** The agent socket; default `SSH_AUTH_SOCK`. */
  agentSocket?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  timeoutMs?: number;
}

export interface SshSession {
  client: Client;
  socket: Socket;
  peer: string;
  username: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

type AuthMethod = { type: 'publickey'; username: string; key: Buffer | string; passphrase?: string } | { type: 'agent'; username: string; agent: string } | { type: 'password'; username: string; password: string };

function authMethods(params: SshParams, username: string): AuthMethod[] {
  const methods: AuthMethod[] = [];
  const agent = params.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (params.identityFile) {
    methods.push({ type: 'publickey', username, key: readFileSync(params.identityFile), passphrase: params.passphrase });
  } else if (!agent) {
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = join(homedir(), '.ssh', name);
      if (existsSync(file)) methods.push({ type: 'publickey', username, key: readFileSync(file), passphrase: params.passphrase });
    }
  }
  if (agent) methods.push({ type: 'agent', username, agent });
  if (params.password !== undefined) methods.push({ type: 'password', username, password: params.password });
  return methods;
}

/** ssh2 host key algorithm names for a known_hosts key type. */
function algorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

const ALL_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

function hostKeyError(check: Exclude<HostKeyCheck, { status: 'match' }>, name: string, file: string, key: Buffer): HpssError {
  const type = keyTypeOfBlob(key);
  const fp = fingerprint(key);
  switch (check.status) {
    case 'changed':
      return new HpssError('ssh', 'host-key-changed', `Host key verification failed: the ${type} host key for ${name} has changed (server sent ${fp}; ${file} line ${check.line} has another)`);
    case 'revoked':
      return new HpssError('ssh', 'host-key-revoked', `Host key verification failed: the ${type} host key for ${name} is revoked (${file} line ${check.line}; ${fp})`);
    case 'unknown': {
      const others = check.otherTypes.length ? `; it knows ${check.otherTypes.join(', ')} keys for it` : '';
      return new HpssError('ssh', 'host-key-unknown', `Host key verification failed: no ${type} host key is known for ${name} in ${file} (server sent ${fp}${others})`);
    }
  }
}

/** Connects, checks the host key and authenticates; rejects with a precise HpssError. */
export async function openSshSession(params: SshParams, onStep: ConnectStepListener = () => undefined): Promise<SshSession> {
  const port = params.port ?? SSH_DEFAULT_PORT;
  const username = params.username ?? userInfo().username;
  const knownHostsFile = params.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
  const timeoutMs = params.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const socket = await resolveAndConnect(params.host, port, onStep, timeoutMs);
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - t;
    t = now;
    return ms;
  };
  const peer = formatPeer(socket.remoteAddress ?? params.host, port);
  const entries = readKnownHosts(knownHostsFile);
  const name = knownHostsName(params.host, port);
  const known = knownKeyTypes(entries, params.host, port).flatMap(algorithmsFor);
  const serverHostKey = [...new Set([...known, ...ALL_HOST_KEY_ALGORITHMS])];
  const methods = authMethods(params, username);
  const client = new Client();
  const socketBytes = () => socket.bytesRead + socket.bytesWritten;

  let hostKeyFailure: HpssError | null = null;
  let hostKeySeen = false;
  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', (err: Error & { level?: string }) => {
      if (hostKeyFailure) reject(hostKeyFailure);
      else if (err.level === 'client-authentication') {
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
        hostKeyFailure = hostKeyError(check, name, knownHostsFile, key);
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
