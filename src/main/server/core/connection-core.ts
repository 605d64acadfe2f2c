/**
 * The server side of one connection, without the connection: bytes in (`feed`), calls to
 * a backend, answers out through the sink given at construction. A medium (socket, SSH
 * channel, stdin/stdout) only adapts its stream to it, as ssh2's transports do to its
 * `Protocol`.
 *
 * Invariants: requests are decoded in stream order, each one's version detected from its
 * first bytes; a request's bytes are held only until its verb is known (bounded by the
 * decoder's structure limit), then go to the backend as wire bytes or as a decoded body;
 * answers reach the client in request order, whatever order they are ready in, and an answer
 * made here waits for its request's last byte; a malformed request is answered with
 * `('error', text)` after the requests before it, then the connection closes. A core that
 * has failed (a bug, not a client's fault) throws on further use.
 */
import type { UnstampedEvent } from '../../../shared/events';
import type { IdKind } from '../../../shared/ids';
import type { PolicySettings } from '../../../shared/policies';
import type { DecodeEvent, ProtocolVersion } from '../../../shared/protocol';
import { encodeResponse, RequestStreamDecoder, utf8Bytes } from '../../../shared/protocol';
import { HeadersJson, RawStreamTap, type RawCapture } from '../../medium/wire-capture';
import type { BackendConnection } from '../backends/backend';
import { CallDispatch } from './call-dispatch';
import { PendingBytes, type CallRecord } from './call-record';
import { OutgoingAnswers } from './outgoing-answers';
import { PolicyRunner, sleep } from './policy-runner';

/** Where the core's output goes: the connection it serves. */
export interface CoreSink {
  /** Bytes to the client; a promise means: wait before writing more. */
  write(bytes: Uint8Array): void | Promise<void>;
  /** Ends the connection (called once). */
  close(reason: string): void;
}

export interface ConnectionCoreOptions {
  mediumId: string;
  ownerId?: string;
  sink: CoreSink;
  backend: BackendConnection;
  /** The owner's live settings, read at every decision. */
  policy: () => PolicySettings;
  emit: (event: UnstampedEvent) => void;
  ids: { take(kind: IdKind): string };
  /** Wall clock in ms (timeouts); tests may drive it. */
  now?: () => number;
}

export function idleTimeoutMessage(seconds: number): string {
  return `disconnecting client after ${seconds.toFixed(1)} seconds`;
}

interface PendingRequest {
  start: number;
  /** performance.now() at the request's first byte. */
  startedAt: number;
  end: number | null;
  protocol: ProtocolVersion;
  headers: ReturnType<HeadersJson['of']>;
  raw: RawCapture;
  record: CallRecord | null;
}

export class ConnectionCore {
  readonly mediumId: string;
  /** Calls the client made on this connection (as brz's DebugCounter counts them: at their request's end). */
  calls = 0;
  vfsCalls = 0;
  private readonly sink: CoreSink;
  private readonly backend: BackendConnection;
  private readonly emit: (event: UnstampedEvent) => void;
  private readonly ids: { take(kind: IdKind): string };
  private readonly now: () => number;
  private readonly policies: PolicyRunner;
  private readonly requests: RequestStreamDecoder;
  private readonly answers: OutgoingAnswers;
  private readonly dispatch: CallDispatch;
  private readonly pending = new PendingBytes();
  private readonly inFlight: PendingRequest[] = [];
  private readonly rawTap = new RawStreamTap();
  private readonly headersJson = new HeadersJson();
  private fed = 0;
  private routed = 0;
  /** Backpressure from the backend while a chunk is decoded (a full request body queue). */
  private waits: Promise<void>[] = [];
  private feeding = false;
  private stopping = false;
  private stopReason = 'server stopped';
  private closedReason: string | null = null;
  private tornDown = false;
  private failure: Error | null = null;
  /** After a malformed request: the error answer to send once earlier calls are answered, then close. */
  private farewell: { bytes: Uint8Array; reason: string } | null = null;
  private lastActivity: number;

  constructor(opts: ConnectionCoreOptions) {
    if (typeof opts.sink?.write !== 'function' || typeof opts.sink.close !== 'function') throw new TypeError('ConnectionCore: sink.write and sink.close are required');
    if (typeof opts.backend?.handle !== 'function') throw new TypeError('ConnectionCore: backend.handle is required');
    if (typeof opts.emit !== 'function' || typeof opts.policy !== 'function') throw new TypeError('ConnectionCore: emit and policy are required');
    this.mediumId = opts.mediumId;
    this.sink = opts.sink;
    this.backend = opts.backend;
    this.emit = opts.emit;
    this.ids = opts.ids;
    this.now = opts.now ?? Date.now;
    this.lastActivity = this.now();
    this.policies = new PolicyRunner(opts.policy, opts.emit, { mediumId: opts.mediumId, ownerId: opts.ownerId });
    this.requests = new RequestStreamDecoder((ev) => this.onRequestEvent(ev));
    this.answers = new OutgoingAnswers({
      policies: this.policies,
      write: (bytes) => this.write(bytes),
      close: (reason) => this.close(reason),
      isClosed: () => this.closedReason !== null,
      finished: (record, error) => this.callFinished(record, error),
      emit: this.emit,
      mediumId: this.mediumId,
    });
    this.dispatch = new CallDispatch({
      backend: this.backend,
      policies: this.policies,
      answers: this.answers,
      ids: this.ids,
      emit: this.emit,
      mediumId: this.mediumId,
      isClosed: () => this.closedReason !== null,
    });
  }

  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  /** Bytes from the client, in order. A promise means: read no more until it settles. */
  feed(chunk: Uint8Array): void | Promise<void> {
    this.use();
    if (this.closedReason !== null || this.farewell || chunk.length === 0) return;
    if (this.stopping && this.isIdle()) {
      this.close(this.stopReason);
      return;
    }
    this.lastActivity = this.now();
    this.pending.push(chunk);
    this.rawTap.chunk(chunk, this.fed);
    this.fed += chunk.length;
    this.feeding = true;
    try {
      this.requests.feed(chunk);
    } catch (err) {
      if (this.failure) throw this.failure;
      this.feeding = false;
      return this.malformedRequest(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.feeding = false;
    }
    const routed = this.route();
    const paceMs = this.policies.pace('in', chunk.length);
    const waits = this.waits;
    this.waits = [];
    if (routed) waits.push(routed);
    if (paceMs >= 1) waits.push(sleep(paceMs));
    if (waits.length === 0) return;
    return this.settle(Promise.all(waits).then(() => undefined));
  }

  /** The client sent its last byte (a half-close): answer what it asked for in full, then close. */
  inputEnded(): void {
    this.use();
    if (this.closedReason !== null) return;
    // Cut short: a request begun but not ended, or bytes that never became a request.
    const partial = this.inFlight.some((r) => r.end === null) || (this.inFlight.length === 0 && this.routed < this.fed);
    if (partial || this.isIdle()) this.close('client closed the connection');
    else this.stop('client closed the connection');
  }

  /** Graceful stop: finish the calls asked for, then close with `reason`. */
  stop(reason = 'server stopped'): void {
    if (this.closedReason !== null) return;
    if (!this.stopping) this.stopReason = reason;
    this.stopping = true;
    this.closeIfStopping();
  }

  /**
   * The idle timeout, polled by the medium: a client silent for `clientTimeoutSec` is
   * disconnected, between requests or in the middle of one (from its last byte). Not while
   * we owe it an answer or hold its input back. Returns the message when it closed.
   */
  checkTimeout(): string | null {
    if (this.closedReason !== null) return null;
    const seconds = this.policies.settings().clientTimeoutSec;
    if (seconds <= 0 || this.answers.owesAnswer() || this.waits.length > 0 || this.backpressured) return null;
    if (this.now() - this.lastActivity < seconds * 1000) return null;
    const message = idleTimeoutMessage(seconds);
    this.emit({ type: 'timeout', mediumId: this.mediumId, message, seconds });
    this.close(message);
    return message;
  }

  /** Seconds of the idle timeout now (0: off). */
  timeoutSec(): number {
    return this.policies.settings().clientTimeoutSec;
  }

  /** The connection ended under us (peer gone, medium closed): unanswered calls end with it. */
  connectionClosed(reason: string): void {
    if (this.tornDown) return;
    this.tornDown = true;
    if (this.closedReason === null) this.closedReason = reason;
    for (const request of this.inFlight) request.record?.call?.body.end(new Error(`connection closed: ${reason}`));
    for (const request of this.inFlight) request.record?.call?.wire.end(new Error(`connection closed: ${reason}`));
    this.answers.abandon({ kind: 'transport', message: `connection closed: ${reason}` });
    this.backend.close();
  }

  // ---- client → backend ---------------------------------------------------------

  private backpressured = false;

  private settle(wait: Promise<void>): Promise<void> {
    this.backpressured = true;
    return wait.then(
      () => {
        this.backpressured = false;
        this.lastActivity = this.now();
      },
      (err: unknown) => {
        this.backpressured = false;
        throw err;
      },
    );
  }

  private onRequestEvent(ev: DecodeEvent): void {
    const current = this.inFlight[this.inFlight.length - 1];
    switch (ev.type) {
      case 'message-start':
        this.inFlight.push({ start: ev.offset, startedAt: performance.now(), end: null, protocol: ev.protocol, headers: null, raw: this.rawTap.start(ev.offset), record: null });
        return;
      case 'headers':
        current.headers = this.headersJson.of(ev.headers);
        return;
      case 'args':
        current.record = this.dispatch.newCall(current, ev.args);
        return;
      case 'body-part-start':
        current.record?.requestBody.part();
        return;
      case 'body-data': {
        const record = current.record;
        if (!record) return;
        record.requestBody.data(ev.data);
        // The view is valid only during this callback: the backend gets a copy.
        if (record.call && this.backend.input === 'body') this.wait(record.call.body.push(ev.data.slice()));
        return;
      }
      case 'message-end': {
        current.end = ev.offset + ev.length;
        this.rawTap.end(current.end);
        const record = current.record as CallRecord;
        record.call?.body.end();
        // A dropped request is reported when it is dropped, maybe before its end.
        if (record.route !== 'dropped') this.callStarted(record);
        return;
      }
      default:
        return;
    }
  }

  private wait(pending: void | Promise<void>): void {
    if (pending) this.waits.push(pending);
  }

  /** Routes fed bytes, request by request, once each request's verb is known. */
  private route(): void | Promise<void> {
    let last: void | Promise<void> = undefined;
    while (this.inFlight.length > 0) {
      const request = this.inFlight[0];
      const record = request.record;
      if (!record) break;
      if (record.route === 'dropped') {
        // The client made this call (brz counts it): it shows, ended by the policy.
        const reason = `policy dropped the connection at ${record.verb}`;
        this.callStarted(record);
        this.answers.fail(record, { kind: 'policy', message: reason });
        this.close(reason);
        return;
      }
      const limit = request.end ?? this.fed;
      if (this.routed < limit) {
        const parts = this.pending.take(limit - this.routed);
        this.routed = limit;
        const wire = record.call && this.backend.input === 'wire' ? record.call.wire : null;
        if (wire) for (const part of parts) last = wire.push(part) ?? last;
      }
      if (request.end === null) break;
      this.inFlight.shift();
      record.requestEnded = true;
      record.call?.wire.end();
    }
    this.answers.drive();
    this.closeIfStopping();
    return last;
  }

  /**
   * Breezy answers a request it cannot decode with an `error` response in its version, then
   * gives up on the connection. Requests before it are still answered first, in order.
   */
  private malformedRequest(err: Error): void | Promise<void> {
    const last = this.inFlight[this.inFlight.length - 1];
    const broken = last && last.end === null ? last : null;
    const reason = `malformed request: ${err.message}`;
    this.emit({ type: 'error', mediumId: this.mediumId, kind: 'protocol', message: reason, fatal: true });
    this.farewell = { bytes: encodeResponse({ protocol: broken?.protocol ?? 1, status: 'E', args: [utf8Bytes('error'), utf8Bytes(err.message)] }), reason };
    this.stopping = true;
    // Drop the broken request and every byte from it on; what came before is routed as usual.
    const cutAt = Math.max(this.routed, broken ? broken.start : (last?.end ?? this.routed));
    if (broken) {
      this.inFlight.pop();
      const record = broken.record;
      if (record) {
        record.call?.body.end(new Error(reason));
        record.call?.wire.end(new Error(reason));
        this.answers.fail(record, { kind: 'protocol', message: reason });
      }
    }
    this.pending.truncate(cutAt - this.routed);
    this.fed = cutAt;
    this.waits = [];
    return this.route();
  }

  // ---- backend → client ---------------------------------------------------------

  private write(bytes: Uint8Array): void | Promise<void> {
    this.lastActivity = this.now();
    return this.sink.write(bytes);
  }

  private callStarted(record: CallRecord): void {
    if (record.started) return;
    record.started = true;
    this.calls += 1;
    if (record.vfs) this.vfsCalls += 1;
    this.emit(record.startedEvent(this.mediumId));
  }

  /** After a call's response went out (or it ended without one): the call-count policies, then what is next. */
  private callFinished(record: CallRecord, error: boolean): void {
    if (!error) {
      const reason = this.policies.callFinished(this.answers.done, { callId: record.callId, verb: record.verb });
      if (reason) {
        this.close(reason);
        return;
      }
    }
    this.closeIfStopping();
  }

  // ---- lifecycle ------------------------------------------------------------------

  private isIdle(): boolean {
    return this.inFlight.length === 0 && this.answers.isEmpty && this.routed === this.fed;
  }

  private closeIfStopping(): void {
    if (!this.stopping || !this.isIdle() || this.closedReason !== null || this.feeding) return;
    if (this.farewell) {
      const { bytes, reason } = this.farewell;
      void this.sink.write(bytes);
      this.close(reason);
    } else this.close(this.stopReason);
  }

  private close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.sink.close(reason);
    this.connectionClosed(reason);
  }

  /** A failed core refuses further use loudly instead of ignoring it. */
  private use(): void {
    if (this.failure) throw new Error(`connection core of ${this.mediumId} has failed: ${this.failure.message}`);
  }

  /** A bug inside the core: report once, tear down, and refuse further use. */
  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.emit({ type: 'error', mediumId: this.mediumId, kind: 'internal', message: err.message, fatal: true });
    this.close(`error: ${err.message}`);
  }
}
