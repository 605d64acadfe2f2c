/**
 * The server end of one connection: a thin adapter from a byte stream pair (a socket,
 * stdin/stdout, an SSH channel) to whoever serves requests on it.
 *
 * Invariants: chunks handed on are at most MAX_READ_SIZE bytes (Breezy's
 * MAX_SOCKET_CHUNK); every read and write is counted in `bytes` events (gathered, exact by
 * `medium-closed`); the medium closes once (`medium-closed` carries the reason and the call counts); while the
 * consumer is busy with a chunk the input is paused, so memory stays bounded.
 * The idle timeout is polled like Breezy's `_wait_on_descriptor`: every
 * min(timeout/10, 1) s, and only while the serve loop says it waits for a request.
 */
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { MediumKind } from '../../shared/events';
import { ByteReporter, type EventBus, type IdSource } from '../engine/event-bus';

/** Breezy reads at most this much at a time (osutils.MAX_SOCKET_CHUNK). */
export const MAX_READ_SIZE = 64 * 1024;
/** Breezy's `serve.client_timeout` default, in seconds. */
export const DEFAULT_CLIENT_TIMEOUT_SEC = 300;

export type ChunkConsumer = (chunk: Buffer) => void | Promise<void>;

export interface ServerMediumOptions {
  input: Readable;
  output: Writable;
  /** Who is on the other end, e.g. "127.0.0.1:50122", "stdin/stdout" or "ssh:alice@127.0.0.1:50122". */
  peer: string;
  bus: EventBus;
  ids: IdSource;
  ownerId?: string;
  /** Read on each poll, so a policy change applies to a running connection. */
  clientTimeoutSec?: () => number;
}

export interface ServerMediumEvents {
  timeout: [message: string];
  error: [err: Error];
  close: [reason: string];
  /** The client sent its last byte (a half-close); with a listener, closing is the listener's call. */
  'input-end': [];
}

export function idleTimeoutMessage(seconds: number): string {
  return `disconnecting client after ${seconds.toFixed(1)} seconds`;
}

export abstract class ServerMedium extends EventEmitter<ServerMediumEvents> {
  readonly id: string;
  readonly peer: string;
  abstract readonly kind: MediumKind;
  calls = 0;
  vfsCalls = 0;
  bytesRead = 0;
  bytesWritten = 0;
  private closed = false;
  private waitingForRequest = true;
  private lastActivity = Date.now();
  private pollTimer: NodeJS.Timeout | null = null;
  private consumer: ChunkConsumer | null = null;
  private readonly backlog: Buffer[] = [];
  private consuming = false;
  private inputEnded = false;
  private readonly clientTimeoutSec: () => number;
  protected readonly input: Readable;
  protected readonly output: Writable;
  protected readonly bus: EventBus;
  private readonly byteReporter: ByteReporter;
  readonly ownerId: string | undefined;

  constructor(opts: ServerMediumOptions) {
    super();
    this.id = opts.ids.take('m');
    this.peer = opts.peer;
    this.input = opts.input;
    this.output = opts.output;
    this.bus = opts.bus;
    this.ownerId = opts.ownerId;
    this.byteReporter = new ByteReporter(opts.bus, this.id);
    this.clientTimeoutSec = opts.clientTimeoutSec ?? (() => DEFAULT_CLIENT_TIMEOUT_SEC);
    this.output.on('error', (err) => this.fail(err));
    this.input.on('error', (err) => this.fail(err));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get inputHasEnded(): boolean {
    return this.inputEnded;
  }

  /** Starts reading; every chunk (≤ 64 KiB) goes to `consumer`, in order, one at a time. */
  start(consumer: ChunkConsumer): void {
    this.consumer = consumer;
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

  /** The serve loop tells the medium whether it is between requests (idle time counts). */
  setWaitingForRequest(waiting: boolean): void {
    if (waiting && !this.waitingForRequest) this.lastActivity = Date.now();
    this.waitingForRequest = waiting;
  }

  /** Writes response bytes; resolves at once unless the peer applies backpressure. */
  write(chunk: Buffer): void | Promise<void> {
    if (this.closed || chunk.length === 0) return;
    this.bytesWritten += chunk.length;
    this.lastActivity = Date.now();
    this.byteReporter.count('written', chunk.length);
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
    this.bus.emit({ type: 'medium-closed', mediumId: this.id, reason, calls: this.calls, vfsCalls: this.vfsCalls });
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
    this.lastActivity = Date.now();
    this.byteReporter.count('read', data.length);
    if (data.length <= MAX_READ_SIZE) this.backlog.push(data);
    else for (let at = 0; at < data.length; at += MAX_READ_SIZE) this.backlog.push(data.subarray(at, at + MAX_READ_SIZE));
    if (!this.consuming) this.consume();
  }

  /** Hands chunks on one at a time; pauses the input while an async consumer works. */
  private consume(): void {
    while (this.backlog.length > 0 && !this.closed && this.consumer) {
      const chunk = this.backlog.shift() as Buffer;
      let pending: void | Promise<void>;
      try {
        pending = this.consumer(chunk);
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

  /** Like Breezy, answer what was asked before the client's end of input; the serve loop decides when. */
  private inputDone(): void {
    if (this.listenerCount('input-end') > 0) this.emit('input-end');
    else this.close('client closed the connection');
  }

  private schedulePoll(): void {
    const timeout = this.clientTimeoutSec();
    // Breezy polls every min(timeout/10, 1) s; with the timeout off we still re-read the policy each second.
    const pollMs = timeout > 0 ? Math.min(timeout / 10, 1) * 1000 : 1000;
    this.pollTimer = setTimeout(() => this.poll(), pollMs);
    this.pollTimer.unref();
  }

  private poll(): void {
    if (this.closed) return;
    const timeout = this.clientTimeoutSec();
    if (timeout > 0 && this.waitingForRequest && !this.consuming && Date.now() - this.lastActivity >= timeout * 1000) {
      const message = idleTimeoutMessage(timeout);
      this.bus.emit({ type: 'timeout', mediumId: this.id, message, seconds: timeout });
      this.emit('timeout', message);
      this.close(message);
      return;
    }
    this.schedulePoll();
  }
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
