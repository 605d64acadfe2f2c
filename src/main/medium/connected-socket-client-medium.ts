/**
 * A client medium over a socket someone else connected (Breezy's
 * SmartClientAlreadyConnectedSocketMedium). It owns the socket: disconnecting closes it, and
 * it cannot reconnect.
 */
import type { Socket } from 'node:net';
import { HpssError } from '../../shared/protocol/errors';
import { ClientMedium, type ClientMediumOptions, type OpenedStreams } from './client-medium';
import { formatHostPort } from '../../shared/host-port';
import { socketStreams } from './tcp-client-medium';

export interface ConnectedSocketClientMediumOptions extends ClientMediumOptions {
  socket: Socket;
}

export class ConnectedSocketClientMedium extends ClientMedium {
  readonly kind = 'socket-client' as const;
  private socket: Socket | null;
  private readonly peerName: string;

  constructor(opts: ConnectedSocketClientMediumOptions) {
    super(opts);
    this.socket = opts.socket;
    this.socket.setNoDelay(true);
    this.peerName = opts.socket.remoteAddress
      ? formatHostPort(opts.socket.remoteAddress, opts.socket.remotePort ?? 0)
      : 'connected socket';
    // Connected by definition, as in Breezy: attach now so reads work without a write first.
    this.connect().catch(() => undefined);
  }

  protected async open(): Promise<OpenedStreams> {
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      throw new HpssError('transport', 'connect-failed', `${this.describe()}: the socket is closed and cannot be reopened`);
    }
    this.socket = null;
    return socketStreams(socket, this.peerName);
  }

  describe(): string {
    return `ConnectedSocketClientMedium(${this.peerName})`;
  }
}
