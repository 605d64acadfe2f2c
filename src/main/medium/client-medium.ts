/**
 * The client end of one connection to a smart server: connects on first use, carries
 * request bytes out and response bytes in, and remembers what it learnt about the server
 * (protocol version, `_remember_remote_is_before`). Subclasses only open the streams.
 *
 * Invariants: one connection at a time; reads hand out chunks in arrival order (a pushed-back
 * chunk first); every connect, disconnect and failure is an event on the bus, reads and writes
 * are counted in `bytes` events (gathered, exact by each `medium-closed`):
 * each connection is a `medium-opened`, each disconnect a `medium-closed` marked
 * `reconnectable`, the end of the medium (`close()`) a final `medium-closed`; a reconnect
 * (protocol negotiation, reset) stays the same medium, as in Breezy. While more than
 * HIGH_WATER bytes wait unread, the input is paused, so memory stays bounded.
 */
import type { Readable, Writable } from 'node:stream';
import type { MediumKind } from '../../shared/events';
import { HpssError } from '../../shared/protocol/errors';
import type { ProtocolVersion } from '../../shared/protocol/types';
import { ByteReporter, type EventBus, type IdSource } from '../bus/event-bus';
import { ConnectionSetup } from './connection-setup';
import type { ConnectStepListener } from './tcp-client-connect';

const HIGH_WATER = 1024 * 1024;
const DONE = Promise.resolve();

/** A (major, minor) Bazaar release, as in `_remember_remote_is_before((1, 6))`. */
export type BzrVersion = readonly [number, number];

export type PostConnectHook = (medium: ClientMedium) => void;

export interface ClientMediumOptions {
  bus: EventBus;
  ids: IdSource;
  /** Run after each connection is made (Breezy's `Transport.hooks['post_connect']`); a live list. */
  postConnect?: readonly PostConnectHook[];
}

/** What a subclass hands the base once connected. */
export interface OpenedStreams {
  input: Readable;
  output: Writable;
  /** The peer as `host:port` or a description (a subprocess, an SSH channel). */
  peer: string;
  /** Ends the transport; called once per connection. */
  close(): void;
  /** Extra words for a connection-reset error (e.g. the remote's stderr). */
  explainEnd?(): string;
  /** Resolves once the transport has fully ended, so `explainEnd` has everything (exit status). */
  settled?(): Promise<void>;
}

/** How long an explanation waits for a process or channel to report its exit. */
const SETTLE_MS = 1_000;

type Waiter = { resolve: (chunk: Buffer | null) => void; reject: (err: HpssError) => void };

export abstract class ClientMedium {
  readonly id: string;
  abstract readonly kind: MediumKind;
  /** The negotiated protocol version, null until a call has found it. */
  protocolVersion: ProtocolVersion | null = null;
  calls = 0;
  vfsCalls = 0;
  bytesRead = 0;
  bytesWritten = 0;
  /** How many connections this medium has made; a new one needs a new response decoder. */
  connectionCount = 0;
  /**
   * Milliseconds spent in connection set-ups reported as `connection-setup` (all of them, so
   * far): a call subtracts those it waited for from its duration.
   */
  setupMs = 0;
  protected readonly bus: EventBus;
  private readonly byteReporter: ByteReporter;
  private readonly postConnect: readonly PostConnectHook[];
  private remoteBefore: BzrVersion | null = null;
  private streams: OpenedStreams | null = null;
  private connecting: Promise<OpenedStreams> | null = null;
  private announced = false;
  private closed = false;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private waiter: Waiter | null = null;
  private ended = false;
  private failure: HpssError | null = null;
  private peerText = '';
  private lastStreams: OpenedStreams | null = null;

  constructor(opts: ClientMediumOptions) {
    this.id = opts.ids.take('medium');
    this.bus = opts.bus;
    this.byteReporter = new ByteReporter(opts.bus, this.id);
    this.postConnect = opts.postConnect ?? [];
  }

  /** Opens the transport, telling `onStep` each phase of the set-up; rejects with a precise HpssError. */
  protected abstract open(onStep: ConnectStepListener): Promise<OpenedStreams>;

  /** What it connects to, as the set-up event names it (`host:port`). */
  protected connectTarget(): string {
    return this.describe();
  }

  /** Breezy's repr of the medium, used in the DebugCounter line, e.g. `TcpClientMedium(bzr://h:4155/)`. */
  abstract describe(): string;

  get isConnected(): boolean {
    return this.streams !== null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get peer(): string {
    return this.peerText;
  }

  /** Connects if not connected (Breezy's `_ensure_connection`). */
  async connect(): Promise<void> {
    if (this.streams) return;
    if (this.closed) throw new HpssError('transport', 'medium-closed', `The medium '${this.describe()}' is closed.`);
    if (!this.connecting) {
      const setup = new ConnectionSetup();
      this.connecting = this.open(setup.onStep).then(
        (streams) => {
          this.connecting = null;
          this.reportSetup(setup);
          this.attach(streams);
          return streams;
        },
        (err: unknown) => {
          this.connecting = null;
          const error = err instanceof HpssError ? err : new HpssError('transport', 'connect-failed', String(err));
          this.reportSetup(setup, error.message);
          this.bus.emit({ type: 'error', mediumId: this.id, kind: error.kind, message: error.message, fatal: true });
          throw error;
        },
      );
    }
    await this.connecting;
  }

  /**
   * A set-up with phases (a failed one always) is its own event, before `medium-opened`: a
   * medium that only hands over streams (pipes, a socket connected elsewhere) has none.
   */
  private reportSetup(setup: ConnectionSetup, reason?: string): void {
    if (setup.phases.length === 0 && reason === undefined) return;
    setup.end();
    this.setupMs += setup.elapsedMs;
    this.bus.emit(setup.event({ mediumId: this.id, kind: this.kind, target: this.connectTarget() }, reason));
  }

  /**
   * Sends bytes, connecting first; a peer known to be gone is a `connection-reset` HpssError.
   * The write is handed to the stream without waiting for it to drain: a failure the OS reports
   * later (EPIPE, ECONNRESET) fails the next read with `connection-reset` instead.
   */
  write(data: Uint8Array): Promise<void> {
    if (!this.streams) return this.connect().then(() => this.write(data));
    const streams = this.streams;
    if (this.failure || this.ended || streams.output.writableEnded || streams.output.destroyed) {
      return Promise.reject(this.resetError('Error trying to write to the server'));
    }
    streams.output.write(data);
    this.bytesWritten += data.length;
    this.byteReporter.count('written', data.length);
    return DONE;
  }

  /**
   * The next chunk the server sent, or null at end of stream. Reading before connecting is a
   * `not-connected` error (Breezy's MediumNotConnected); a broken stream is `connection-reset`.
   */
  read(): Promise<Buffer | null> {
    const chunk = this.queue.shift();
    if (chunk) {
      this.queuedBytes -= chunk.length;
      if (this.queuedBytes < HIGH_WATER && this.streams?.input.isPaused()) this.streams.input.resume();
      return Promise.resolve(chunk);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(null);
    if (!this.streams) {
      return Promise.reject(new HpssError('transport', 'not-connected', `The medium '${this.describe()}' is not connected.`));
    }
    if (this.waiter) return Promise.reject(new HpssError('transport', 'concurrent-read', 'a read is already waiting'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Returns bytes that belong to the next read (they were read past the end of a message). */
  pushBack(data: Buffer): void {
    if (data.length === 0) return;
    this.queue.unshift(data);
    this.queuedBytes += data.length;
  }

  /**
   * Ends the connection; the next use reconnects (Breezy's `disconnect`). Reported as a
   * `medium-closed` with `reconnectable`, and the next connection as another `medium-opened`.
   */
  disconnect(reason = 'disconnected by client'): void {
    if (this.closeConnection()) this.emitClosed(reason, true);
  }

  /** After a connection error: disconnect so the next call reconnects (Breezy's `reset`). */
  reset(): void {
    this.disconnect('reset after a connection error');
  }

  /** Disconnects for good and reports the medium's lifetime totals (`medium-closed`). */
  close(reason = 'closed by client'): void {
    if (this.closed) return;
    this.closeConnection();
    this.closed = true;
    if (this.announced) this.emitClosed(reason, false);
  }

  private closeConnection(): boolean {
    const streams = this.streams;
    if (!streams) return false;
    this.streams = null;
    this.queue = [];
    this.queuedBytes = 0;
    this.ended = false;
    this.failure = null;
    streams.input.removeAllListeners('data');
    streams.close();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.resolve(null);
    return true;
  }

  private emitClosed(reason: string, reconnectable: boolean): void {
    this.byteReporter.flush();
    this.bus.emit({
      type: 'medium-closed',
      mediumId: this.id,
      reason,
      calls: this.calls,
      vfsCalls: this.vfsCalls,
      ...(reconnectable ? { reconnectable } : {}),
    });
  }

  /** Whether the server may lack RPCs of the given release (Breezy's `_is_remote_before`). */
  isRemoteBefore(version: BzrVersion): boolean {
    return this.remoteBefore !== null && compareVersions(version, this.remoteBefore) >= 0;
  }

  /**
   * Records that the server is older than `version` (Breezy's `_remember_remote_is_before`).
   * A newer bound than one already known is ignored: it means a call was not guarded.
   */
  rememberRemoteIsBefore(version: BzrVersion): void {
    if (this.remoteBefore !== null && compareVersions(version, this.remoteBefore) > 0) return;
    this.remoteBefore = version;
  }

  get remoteIsBefore(): BzrVersion | null {
    return this.remoteBefore;
  }

  private attach(streams: OpenedStreams): void {
    this.streams = streams;
    this.connectionCount++;
    this.lastStreams = streams;
    this.peerText = streams.peer;
    this.ended = false;
    this.failure = null;
    const { input, output } = streams;
    input.on('data', (chunk: Buffer) => {
      if (this.streams !== streams) return;
      this.bytesRead += chunk.length;
      this.byteReporter.count('read', chunk.length);
      const waiter = this.waiter;
      if (waiter) {
        this.waiter = null;
        waiter.resolve(chunk);
        return;
      }
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
      if (this.queuedBytes >= HIGH_WATER) input.pause();
    });
    const onEnd = () => {
      if (this.streams !== streams || this.ended) return;
      this.ended = true;
      const waiter = this.waiter;
      this.waiter = null;
      waiter?.resolve(null);
    };
    input.on('end', onEnd);
    input.on('close', onEnd);
    const onError = (err: Error) => {
      if (this.streams !== streams || this.failure) return;
      this.failure = this.resetError(`Connection lost: ${err.message}`);
      this.bus.emit({ type: 'error', mediumId: this.id, kind: 'transport', message: this.failure.message, fatal: true });
      const waiter = this.waiter;
      this.waiter = null;
      waiter?.reject(this.failure);
    };
    input.on('error', onError);
    if ((output as unknown) !== input) output.on('error', onError);
    this.announced = true;
    this.bus.emit({ type: 'medium-opened', mediumId: this.id, kind: this.kind, role: 'client', peer: streams.peer });
    for (const hook of this.postConnect) hook(this);
  }

  /** What the transport knows about why it ended (an exit status, the remote's stderr), or ''. */
  endExplanation(): string {
    return this.lastStreams?.explainEnd?.() ?? '';
  }

  /** `endExplanation`, after giving the transport a moment to report its exit. */
  async settledEndExplanation(): Promise<string> {
    const settled = this.lastStreams?.settled?.();
    if (settled) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((r) => (timer = setTimeout(r, SETTLE_MS)))]);
      clearTimeout(timer);
    }
    return this.endExplanation();
  }

  private resetError(message: string): HpssError {
    const extra = this.endExplanation();
    return new HpssError('transport', 'connection-reset', `Connection closed: ${message}${extra ? `: ${extra}` : ''}`);
  }
}

function compareVersions(a: BzrVersion, b: BzrVersion): number {
  return a[0] - b[0] || a[1] - b[1];
}
