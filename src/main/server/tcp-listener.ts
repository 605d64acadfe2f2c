/**
 * The TCP listener of a server or proxy: each connection gets a SocketServerMedium served
 * by a connection core and the backend. An error in one connection ends that
 * connection only; `stop()` closes the listener, lets each connection finish the call
 * in progress, and forces what is left after a grace period.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { EventBus, IdSource } from '../bus/event-bus';
import { SocketServerMedium } from '../medium/socket-server-medium';
import { asError } from '../medium/server-medium';
import type { Backend } from './backends/backend';
import type { ConnectionCore } from './core/connection-core';
import { serveConnection, type PolicySource } from './serve-connection';
import { bzrUrl, type ListenAddress } from './listen-address';

/** After a graceful stop is asked for, connections still busy after this are cut. */
const STOP_GRACE_MS = 10_000;
/** Connections served at once by default; past the cap a connection is refused with a clear answer. */
export const DEFAULT_MAX_CONNECTIONS = 1000;
/** Past the cap, refused connections still being answered are cut outright beyond this many. */
const MAX_REFUSING = 64;

/** What a connection past the cap gets: its first call answered with why, then the close. */
function refusingBackend(limit: number): Backend {
  const why = `hpss: the server has reached its limit of ${limit} connections; try again later`;
  return {
    description: 'refusal past the connection cap',
    open: (ctx) => ({
      input: 'body',
      handle: () => {
        ctx.finish(why);
        return { status: 'E', args: ['error', why] };
      },
      close: () => undefined,
    }),
    close: () => undefined,
  };
}

export interface TcpListenerOptions {
  ownerId: string;
  address: ListenAddress;
  backend: Backend;
  policy: PolicySource;
  bus: EventBus;
  ids: IdSource;
  /** Connections served at once (DEFAULT_MAX_CONNECTIONS). */
  maxConnections?: number;
}

export class TcpListener {
  private readonly server: Server;
  private readonly connections = new Map<ConnectionCore, SocketServerMedium>();
  private refusing = 0;
  private url = '';

  constructor(private readonly opts: TcpListenerOptions) {
    // Half-open: a client that ends its side after a request still gets the answer, as from Breezy.
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  /** Resolves with the bzr:// URL once listening (port 0 resolved to the real port). */
  listen(): Promise<string> {
    const { host, port } = this.opts.address;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        const message = `cannot listen on ${host}:${port}: ${err.message}`;
        this.opts.bus.emit({ type: 'listener', ownerId: this.opts.ownerId, state: 'failed', url: bzrUrl(host, port), message });
        reject(new Error(message));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.opts.bus.emit({ type: 'error', kind: 'transport', message: `listener ${this.url}: ${err.message}`, fatal: false }));
        const bound = this.server.address();
        const realPort = typeof bound === 'object' && bound ? bound.port : port;
        this.url = bzrUrl(host, realPort);
        this.opts.bus.emit({ type: 'listener', ownerId: this.opts.ownerId, state: 'listening', url: this.url });
        resolve(this.url);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const mediums = [...this.connections.entries()];
    const finished = mediums.map(([, medium]) => new Promise<void>((resolve) => (medium.isClosed ? resolve() : medium.once('close', () => resolve()))));
    for (const [core] of mediums) core.stop();
    const grace = setTimeout(() => {
      for (const [, medium] of mediums) medium.close('server stopped (grace period over)');
    }, STOP_GRACE_MS);
    await Promise.all(finished);
    clearTimeout(grace);
    await closed;
    this.opts.backend.close();
    this.opts.bus.emit({ type: 'listener', ownerId: this.opts.ownerId, state: 'stopped', url: this.url });
  }

  /** Past the cap: the client's first request is answered with the reason, in its version; a flood of them is cut. */
  private refuse(socket: Socket, limit: number): void {
    const { bus, ids, ownerId, policy } = this.opts;
    bus.emit({ type: 'error', kind: 'transport', message: `listener ${this.url}: refused a connection past the limit of ${limit}`, fatal: false });
    if (this.refusing >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    this.refusing += 1;
    const medium = new SocketServerMedium(socket, { bus, ids, ownerId });
    medium.once('close', () => (this.refusing -= 1));
    serveConnection(medium, { backend: refusingBackend(limit), policy: { get: () => ({ ...policy.get(), clientTimeoutSec: Math.min(policy.get().clientTimeoutSec || 10, 10) }) }, bus, ids, ownerId });
  }

  private accept(socket: Socket): void {
    const { bus, ids, ownerId, backend, policy } = this.opts;
    const limit = this.opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.connections.size >= limit) {
      this.refuse(socket, limit);
      return;
    }
    try {
      const medium = new SocketServerMedium(socket, { bus, ids, ownerId });
      const core = serveConnection(medium, { backend, policy, bus, ids, ownerId });
      this.connections.set(core, medium);
      medium.on('close', () => this.connections.delete(core));
    } catch (err) {
      bus.emit({ type: 'error', kind: 'internal', message: `cannot serve a connection: ${asError(err).message}`, fatal: false });
      socket.destroy();
    }
  }
}
