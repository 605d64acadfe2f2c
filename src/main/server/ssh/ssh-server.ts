/**
 * The embedded SSH server (ssh2's server side) behind `hpss serve --ssh-listen`.
 *
 * Public-key authentication only, against an authorized_keys file: a key offered
 * without a signature is only acknowledged; a login needs a signature over the
 * session data that verifies with the listed key. Any user name is accepted (the
 * server runs as one local account whatever the name) and recorded in the peer.
 * Each exec request of `bzr serve --inet …` hands its channel to `onSession`; other
 * commands, shells and subsystems are refused, commands with exit status 127 and a
 * reason on stderr, as a shell would for a missing program.
 *
 * Admission (as OpenSSH's LoginGraceTime and MaxStartups): we accept the TCP sockets
 * ourselves and hand them to ssh2, so a connection that never says a word is counted
 * too. A connection must log in within `loginTimeoutSec` or it is closed; at most
 * `maxUnauthenticated` connections may be logging in at once and at most
 * `maxConnections` be open at all (`limits`, src/shared/ssh-limits.ts); past either, new sockets are closed at once (one
 * `error` event a second says how many). Authenticated sessions are not timed here.
 */
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { Server, type Connection, type ServerChannel } from 'ssh2';
import type { EventBus } from '../../bus/event-bus';
import { DEFAULT_SSH_LIMITS, type SshLimits } from '../../../shared/ssh-limits';
import { formatHostPort } from '../listen-address';
import { findAuthorizedKey, fingerprint, type AuthorizedKeys } from './authorized-keys';
import { SshSetupError } from './errors';
import type { HostKey } from './host-key';
import { parseRemoteCommand, type ServeInetRequest } from './remote-command';

export interface SshExecSession {
  /** Both ends of the session: read requests from it, write responses to it. */
  channel: ServerChannel;
  user: string;
  /** e.g. "ssh:alice@127.0.0.1:50122". */
  peer: string;
  command: string;
  request: ServeInetRequest;
}

/** Serves one session; resolves to its exit status once the session is over. */
export type SshSessionHandler = (session: SshExecSession) => Promise<number>;

export interface SshServerOptions {
  host: string;
  port: number;
  hostKey: HostKey;
  authorizedKeys: AuthorizedKeys;
  bus: EventBus;
  ownerId: string;
  onSession: SshSessionHandler;
  /** Admission limits; DEFAULT_SSH_LIMITS for those not given. */
  limits?: Partial<SshLimits>;
}

export interface SshListener {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

const REFUSED_COMMAND_STATUS = 127;

export function startSshServer(opts: SshServerOptions): Promise<SshListener> {
  const { bus, ownerId } = opts;
  const clients = new Set<Connection>();
  const sshError = (message: string): void => {
    bus.emit({ type: 'error', kind: 'ssh', message, fatal: false });
  };

  const admission = new Admission(opts.limits, sshError);
  const server = new Server({ hostKeys: [opts.hostKey.privateKey], ident: 'hpss-inspector' }, (client, info) => {
    clients.add(client);
    let user = '';
    const from = `${info.ip}:${info.port}`;
    client.on('close', () => clients.delete(client));
    client.once('ready', () => admission.loggedIn(from));
    client.on('error', (err) => sshError(`ssh client ${from}: ${err.message}`));
    client.on('authentication', (ctx) => {
      user = ctx.username;
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const allowed = findAuthorizedKey(opts.authorizedKeys, ctx.key.data);
      if (!allowed) {
        sshError(`ssh: refused key ${fingerprint(ctx.key.data)} for ${ctx.username} from ${from}: not in authorized keys`);
        return ctx.reject(['publickey']);
      }
      // Without a signature the client only asks whether this key would do.
      if (!ctx.signature) return ctx.accept();
      if (!ctx.blob || allowed.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        sshError(`ssh: bad signature for ${ctx.username} from ${from}`);
        return ctx.reject(['publickey']);
      }
      ctx.accept();
    });
    client.on('ready', () => {
      const peer = `ssh:${user}@${from}`;
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('env', (accept) => accept?.());
        session.on('pty', (_accept, reject) => reject?.());
        session.on('subsystem', (_accept, reject) => reject());
        session.on('shell', (accept) => refuse(accept(), 'interactive shells are not offered', peer));
        session.on('exec', (accept, _reject, { command }) => {
          const channel = accept();
          const parsed = parseRemoteCommand(command);
          if (!parsed.ok) return refuse(channel, `${parsed.reason}; refused: ${command}`, peer);
          opts.onSession({ channel, user, peer, command, request: parsed.request }).then(
            (status) => finish(channel, status),
            (err: unknown) => {
              const message = err instanceof Error ? err.message : String(err);
              sshError(`ssh session ${peer}: ${message}`);
              if (channel.writable) channel.stderr.write(`hpss: ${message}\n`);
              finish(channel, 1);
            },
          );
        });
      });
    });
  });

  function refuse(channel: ServerChannel, reason: string, peer: string): void {
    sshError(`ssh ${peer}: ${reason}`);
    channel.stderr.write(`hpss: ${reason}\n`);
    finish(channel, REFUSED_COMMAND_STATUS);
  }

  return new Promise((resolve, reject) => {
    const onListenError = (err: Error): void => {
      bus.emit({ type: 'listener', ownerId, state: 'failed', url: sshUrl(opts.host, opts.port), message: err.message });
      reject(new SshSetupError(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`));
    };
    // Our own TCP listener: ssh2 would see a connection only once it sent its version line.
    const tcp = createTcpServer((socket) => {
      if (admission.admit(socket)) server.injectSocket(socket);
    });
    tcp.once('error', onListenError);
    tcp.listen(opts.port, opts.host, () => {
      tcp.off('error', onListenError);
      tcp.on('error', (err: Error) => sshError(`ssh server: ${err.message}`));
      const port = (tcp.address() as AddressInfo).port;
      const url = sshUrl(opts.host, port);
      bus.emit({ type: 'listener', ownerId, state: 'listening', url });
      resolve({
        host: opts.host,
        port,
        url,
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.end();
            admission.closeAll();
            tcp.close(() => {
              bus.emit({ type: 'listener', ownerId, state: 'stopped', url });
              done();
            });
          }),
      });
    });
  });
}

/** Counts and times connections from accept to login; see the module comment. */
class Admission {
  private readonly loggingIn = new Map<string, { socket: Socket; timer: NodeJS.Timeout }>();
  private open = 0;
  private refusedSinceReport = 0;
  private lastReport = 0;
  private readonly limits: SshLimits;

  constructor(
    limits: Partial<SshLimits> | undefined,
    private readonly report: (message: string) => void,
  ) {
    this.limits = { ...DEFAULT_SSH_LIMITS, ...limits };
  }

  /** Whether a new socket may go on to the SSH handshake; one that may not is closed. */
  admit(socket: Socket): boolean {
    socket.on('error', () => socket.destroy());
    const { loginTimeoutSec, maxUnauthenticated, maxConnections } = this.limits;
    if (this.loggingIn.size >= maxUnauthenticated || this.open >= maxConnections) {
      socket.destroy();
      this.refused();
      return false;
    }
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.open++;
    const timer = setTimeout(() => {
      this.report(`ssh client ${key}: no login within ${loginTimeoutSec} s; disconnected`);
      socket.destroy();
    }, loginTimeoutSec * 1000);
    this.loggingIn.set(key, { socket, timer });
    socket.once('close', () => {
      this.open--;
      this.loggedIn(key);
    });
    return true;
  }

  /** The connection from `key` logged in (or closed): it no longer counts as logging in. */
  loggedIn(key: string): void {
    const entry = this.loggingIn.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.loggingIn.delete(key);
  }

  closeAll(): void {
    for (const { socket } of [...this.loggingIn.values()]) socket.destroy();
  }

  /** One event a second at most, however hard the flood. */
  private refused(): void {
    this.refusedSinceReport++;
    const now = Date.now();
    if (now - this.lastReport < 1000) return;
    const { maxUnauthenticated, maxConnections } = this.limits;
    this.report(`ssh: refused ${this.refusedSinceReport} connection(s): ${this.loggingIn.size} logging in (max ${maxUnauthenticated}), ${this.open} open (max ${maxConnections})`);
    this.refusedSinceReport = 0;
    this.lastReport = now;
  }
}

/** Sends the exit status and closes, unless the session already closed the channel. */
function finish(channel: ServerChannel, status: number): void {
  if (!channel.writable) return;
  channel.exit(status);
  channel.end();
}

export function sshUrl(host: string, port: number): string {
  return `bzr+ssh://${formatHostPort(host, port)}/`;
}
