/**
 * The server end of one connection: a thin adapter from a byte stream pair (a socket,
 * stdin/stdout, an SSH channel) to the connection core that serves it (src/main/server/core).
 * It owns no protocol state: it reads, writes, counts bytes and closes.
 *
 * Invariants: chunks handed on are at most MAX_READ_SIZE bytes (Breezy's
 * MAX_SOCKET_CHUNK); every read and write is counted in `bytes` events (gathered, exact by
 * `medium-closed`); the medium closes once (`medium-closed` carries the reason and the
 * connection's call counts); while the connection works on a chunk the input is paused, so
 * memory stays bounded. The connection's idle timeout is polled like Breezy's
 * `_wait_on_descriptor`: every min(timeout/10, 1) s.
 */
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { MediumKind } from '../../shared/events';
import { ByteReporter, type EventBus, type IdSource } from '../bus/event-bus';

/** Breezy reads at most this much at a time (osutils.MAX_SOCKET_CHUNK). */
export const MAX_READ_SIZE = 64 * 1024;

/**
 * A write at least this large resolves only once the stream has taken all of its bytes (its
 * write callback), so whoever wrote it may reuse the buffer after the next such write: a
 * body streamed from disk recycles its read buffers instead of faulting in fresh memory
 * per piece (file-pieces.ts). Smaller writes resolve at once unless there is backpressure.
 */
export const TAKEN_WRITE_BYTES = 64 * 1024;

/** What serves the bytes of a server medium (the connection core); the medium only adapts its stream. */
export interface ServedConnection {
  /** A chunk from the client; a promise pauses the input until it settles; a throw is a bug in it. */
  feed(chunk: Uint8Array): void | Promise<void>;
  /** The client half-closed. */
  inputEnded(): void;
  /** Polled: closes the connection (through the medium) when the client has been silent too long. */
  checkTimeout(): string | null;
  /** Seconds of the idle timeout now (0: off), for the poll's pace. */
  timeoutSec(): number;
  /** The medium closed (for any reason): calls still open end. */
  connectionClosed(reason: string): void;
  readonly calls: number;
  readonly vfsCalls: number;
}

export interface ServerMediumOptions {
  input: Readable;
  output: Writable;
  /** Who is on the other end, e.g. "127.0.0.1:50122", "stdin/stdout" or "ssh:alice@127.0.0.1:50122". */
  peer: string;
  bus: EventBus;
  ids: IdSource;
  ownerId?: string;
}

export interface ServerMediumEvents {
  error: [err: Error];
  close: [reason: string];
}

export abstract class ServerMedium extends EventEmitter<ServerMediumEvents> {
  readonly id: string;
  readonly peer: string;
  abstract readonly kind: MediumKind;
  bytesRead = 0;
  bytesWritten = 0;
  private closed = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private connection: ServedConnection | null = null;
  private readonly backlog: Buffer[] = [];
  private consuming = false;
  private inputEnded = false;
  protected readonly input: Readable;
  protected readonly output: Writable;
  protected readonly bus: EventBus;
  private readonly byteReporter: ByteReporter;
  readonly ownerId: string | undefined;

  constructor(opts: ServerMediumOptions) {
    super();
    this.id = opts.ids.take('medium');
    this.peer = opts.peer;
    this.input = opts.input;
    this.output = opts.output;
    this.bus = opts.bus;
    this.ownerId = opts.ownerId;
    this.byteReporter = new ByteReporter(opts.bus, this.id);
    this.output.on('error', (err) => this.fail(err));
    this.input.on('error', (err) => this.fail(err));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts reading; every chunk (≤ 64 KiB) goes to `connection`, in order, one at a time. */
  start(connection: ServedConnection): void {
    this.connection = connection;
    this.bus.emit({ type: 'medium-opened', mediumId: this.id, kind: this.kind, role: 'server', peer: this.peer, ownerId: this.ownerId });
    this.input.on('data', (data: Buffer) => this.onData(data));
    this.input.on('end', () => {
      this.inputEnded = true;
      if (!this.consuming) this.inputDone();
    });
    this.input.on('close', () => {
      if (!this.consuming && !this.inputEnded) this.close('client closed the connection');
    });
    this.schedulePoll();
  }

  /**
   * Writes bytes to the client; resolves at once unless the peer applies backpressure, or,
   * for a write of TAKEN_WRITE_BYTES or more, once the stream has taken all its bytes.
   */
  write(chunk: Uint8Array): void | Promise<void> {
    if (this.closed || chunk.length === 0) return;
    this.bytesWritten += chunk.length;
    this.byteReporter.count('written', chunk.length);
    if (chunk.length >= TAKEN_WRITE_BYTES) {
      return new Promise((resolve) => {
        const done = (): void => {
          this.off('close', done);
          resolve();
        };
        this.on('close', done);
        this.output.write(chunk, done);
      });
    }
    if (this.output.write(chunk)) return;
    return new Promise((resolve) => {
      const done = (): void => {
        this.output.off('drain', done);
        this.off('close', done);
        resolve();
      };
      this.output.on('drain', done);
      this.on('close', done);
    });
  }

  /** Ends the connection once, with a reason recorded in `medium-closed`. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.backlog.length = 0;
    this.disconnect();
    this.byteReporter.flush();
    this.bus.emit({ type: 'medium-closed', mediumId: this.id, reason, calls: this.connection?.calls ?? 0, vfsCalls: this.connection?.vfsCalls ?? 0 });
    // After its own close is recorded: calls still open end, then the backend's upstream closes.
    this.connection?.connectionClosed(reason);
    this.emit('close', reason);
  }

  /** An error in this connection ends this connection only. */
  fail(err: Error, kind: 'transport' | 'protocol' | 'internal' = 'transport'): void {
    if (this.closed) return;
    this.bus.emit({ type: 'error', mediumId: this.id, kind, message: err.message, fatal: true });
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.close(`error: ${err.message}`);
  }

  /** Closes the underlying streams. */
  protected abstract disconnect(): void;

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.bytesRead += data.length;
    this.byteReporter.count('read', data.length);
    if (data.length <= MAX_READ_SIZE) this.backlog.push(data);
    else for (let at = 0; at < data.length; at += MAX_READ_SIZE) this.backlog.push(data.subarray(at, at + MAX_READ_SIZE));
    if (!this.consuming) this.consume();
  }

  /** Hands chunks on one at a time; pauses the input while the connection works on one. */
  private consume(): void {
    const connection = this.connection as ServedConnection;
    while (this.backlog.length > 0 && !this.closed) {
      const chunk = this.backlog.shift() as Buffer;
      let pending: void | Promise<void>;
      try {
        pending = connection.feed(chunk);
      } catch (err) {
        this.fail(asError(err), 'internal');
        return;
      }
      if (pending) {
        this.consuming = true;
        this.input.pause();
        pending.then(
          () => {
            this.consuming = false;
            if (this.closed) return;
            this.consume();
            if (!this.consuming) this.afterBacklog();
          },
          (err: unknown) => {
            this.consuming = false;
            this.fail(asError(err), 'internal');
          },
        );
        return;
      }
    }
  }

  private afterBacklog(): void {
    if (this.inputEnded) this.inputDone();
    else if (this.input.destroyed) this.close('client closed the connection');
    else this.input.resume();
  }

  /** Like Breezy, answer what was asked before the client's end of input; the connection decides when to close. */
  private inputDone(): void {
    if (this.closed) return;
    try {
      this.connection?.inputEnded();
    } catch (err) {
      this.fail(asError(err), 'internal');
    }
  }

  private schedulePoll(): void {
    const timeout = this.connection?.timeoutSec() ?? 0;
    // Breezy polls every min(timeout/10, 1) s; with the timeout off we still re-read the policy each second.
    const pollMs = timeout > 0 ? Math.min(timeout / 10, 1) * 1000 : 1000;
    this.pollTimer = setTimeout(() => this.poll(), pollMs);
    this.pollTimer.unref();
  }

  private poll(): void {
    if (this.closed) return;
    try {
      if (this.connection?.checkTimeout()) return;
    } catch (err) {
      this.fail(asError(err), 'internal');
      return;
    }
    this.schedulePoll();
  }
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
