/** A client medium over a TCP connection it makes itself on first use (Breezy's SmartTCPClientMedium). */
import type { Socket } from 'node:net';
import { ClientMedium, type ClientMediumOptions, type OpenedStreams } from './client-medium';
import { BZR_DEFAULT_PORT, formatHostPort } from '../../shared/host-port';
import { bothListeners, resolveAndConnect, type ConnectStepListener } from './tcp-client-connect';

export interface TcpClientMediumOptions extends ClientMediumOptions {
  host: string;
  port?: number;
  connectTimeoutMs?: number;
  /** Told about each connection step (resolve, TCP connect). */
  onStep?: ConnectStepListener;
}

/** The streams of a connected socket; shared with ConnectedSocketClientMedium. */
export function socketStreams(socket: Socket, peer: string): OpenedStreams {
  return { input: socket, output: socket, peer, close: () => socket.destroy() };
}

export class TcpClientMedium extends ClientMedium {
  readonly kind = 'tcp-client' as const;
  readonly host: string;
  readonly port: number;
  private readonly connectTimeoutMs: number | undefined;
  private readonly onStep: ConnectStepListener;

  constructor(opts: TcpClientMediumOptions) {
    super(opts);
    this.host = opts.host;
    this.port = opts.port ?? BZR_DEFAULT_PORT;
    this.connectTimeoutMs = opts.connectTimeoutMs;
    this.onStep = opts.onStep ?? (() => undefined);
  }

  protected async open(onStep: ConnectStepListener): Promise<OpenedStreams> {
    const socket = await resolveAndConnect(this.host, this.port, bothListeners(this.onStep, onStep), this.connectTimeoutMs);
    return socketStreams(socket, formatHostPort(socket.remoteAddress ?? this.host, socket.remotePort ?? this.port));
  }

  protected override connectTarget(): string {
    return formatHostPort(this.host, this.port);
  }

  describe(): string {
    return `TcpClientMedium(bzr://${formatHostPort(this.host, this.port)}/)`;
  }
}
