/** The server end of one TCP connection (Breezy's SmartServerSocketStreamMedium). */
import type { Socket } from 'node:net';
import type { MediumKind } from '../../shared/events';
import { formatHostPort } from '../../shared/host-port';
import { ServerMedium, type ServerMediumOptions } from './server-medium';

/** The socket is both streams and names the peer. */
export type SocketServerMediumOptions = Omit<ServerMediumOptions, 'input' | 'output' | 'peer'>;

/** "HOST:PORT", with IPv6 hosts in brackets; taken at once, as the socket may close later. */
export function socketPeer(socket: Socket): string {
  const host = socket.remoteAddress ?? '<unknown>';
  return formatHostPort(host, socket.remotePort ?? 0);
}

const CLOSE_GRACE_MS = 1000;

export class SocketServerMedium extends ServerMedium {
  readonly kind: MediumKind = 'tcp-server';

  constructor(
    private readonly socket: Socket,
    opts: SocketServerMediumOptions,
  ) {
    super({ ...opts, input: socket, output: socket, peer: socketPeer(socket) });
    socket.setNoDelay(true);
  }

  /** Ends our side after what was written is flushed (a last error answer must arrive); forced after a grace period. */
  protected disconnect(): void {
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    // The client may keep its side open (we accept half-open sockets): nothing more is read.
    this.socket.resume();
    this.socket.once('end', () => this.socket.destroy());
  }
}
