/**
 * The answers of one connection on their way out, in request order: answers made here
 * are encoded (whole, or piece by piece from a streamed body), relayed ones pass as their
 * bytes, and both go through the same response tap, so response policies, call summaries
 * and wire captures are the same whoever answered.
 *
 * Invariants: one answer is written at a time, the head of the queue; an answer made here
 * starts only after its request's last byte; a call leaves the queue exactly once, with a
 * `call-finished` event (an error one when it ended without a whole response).
 */
import type { ErrorKind, UnstampedEvent } from '../../../shared/events';
import type { CallRecord } from './call-record';
import { AnswerEncoder } from './answer-encoder';
import type { PolicyRunner } from './policy-runner';
import { sleep } from './policy-runner';
import { ResponseTap } from './response-tap';
import type { Answer, MessageAnswer, RelayedAnswer } from './server-call';

export interface OutgoingHost {
  policies: PolicyRunner;
  /** Bytes to the client. */
  write(bytes: Uint8Array): void | Promise<void>;
  close(reason: string): void;
  isClosed(): boolean;
  /** A call left the queue (`error`: without a whole response). */
  finished(record: CallRecord, error: boolean): void;
  emit(event: UnstampedEvent): void;
  mediumId: string;
}

export class OutgoingAnswers {
  /** Calls answered in full so far. */
  done = 0;
  private readonly queue: CallRecord[] = [];
  private readonly encoder = new AnswerEncoder();
  private readonly tap: ResponseTap;
  private bytesSent = 0;
  private writing = false;
  private driving = false;

  constructor(private readonly host: OutgoingHost) {
    this.tap = new ResponseTap({
      policies: host.policies,
      send: (bytes) => this.send(bytes),
      complete: (record) => this.finish(record),
      close: (reason) => host.close(reason),
      isClosed: () => host.isClosed(),
      tapFailed: (message) => host.emit({ type: 'error', mediumId: host.mediumId, kind: 'protocol', message, fatal: false }),
    });
  }

  get isEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** Whether a request has been received in full and its answer has not gone out yet. */
  owesAnswer(): boolean {
    for (const record of this.queue) if (record.requestEnded) return true;
    return false;
  }

  /** A new call, in request order. */
  push(record: CallRecord): void {
    this.queue.push(record);
  }

  /** Its answer is known; it goes out in its turn. */
  ready(record: CallRecord, answer: Answer): void {
    if (record.finished) return;
    record.answer = answer;
    this.drive();
  }

  /** Ends a call without a (whole) response. */
  fail(record: CallRecord, error: { kind: ErrorKind; message: string }): void {
    const index = this.queue.indexOf(record);
    if (index === -1) return;
    this.queue.splice(index, 1);
    this.tap.forget(record);
    record.finished = true;
    this.host.emit(record.finishedEvent(this.host.mediumId, error));
    this.host.finished(record, true);
  }

  /** The connection is gone: every call still queued ends with `error`. */
  abandon(error: { kind: ErrorKind; message: string }): void {
    for (const record of [...this.queue]) this.fail(record, error);
  }

  /** Writes what can go now; called whenever an answer or a request's end arrives. */
  drive(): void {
    if (this.driving || this.writing) return;
    this.driving = true;
    try {
      while (!this.host.isClosed()) {
        const record = this.queue[0];
        if (!record?.answer) break;
        if (record.answer.kind !== 'relayed' && !record.requestEnded) break;
        const wait = this.writeAnswer(record, record.answer);
        if (wait) {
          this.writing = true;
          wait.then(
            () => {
              this.writing = false;
              this.afterWrite(record);
              this.drive();
            },
            (err: unknown) => {
              this.writing = false;
              this.writeFailed(record, err);
            },
          );
          break;
        }
        this.afterWrite(record);
      }
    } finally {
      this.driving = false;
    }
  }

  private writeAnswer(record: CallRecord, answer: Answer): void | Promise<void> {
    if (answer.kind === 'relayed') return this.relay(record, answer);
    const protocol = answer.protocol ?? record.protocol;
    if (answer.body && !(answer.body instanceof Uint8Array)) {
      this.tap.expect(record, protocol);
      return this.stream(record, answer, protocol);
    }
    let whole = answer;
    let bytes: Uint8Array;
    try {
      bytes = this.encoder.whole(answer, protocol, record.verb);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.host.emit({ type: 'error', mediumId: this.host.mediumId, kind: 'internal', message, fatal: false });
      whole = { status: 'E', args: ['error', `hpss: internal error: ${message}`] };
      bytes = this.encoder.whole(whole, protocol, record.verb);
    }
    if (!whole.body && this.tap.idle && !this.host.policies.shapesResponse(record.verb)) return this.sendWhole(record, whole, protocol);
    this.tap.expect(record, protocol);
    return this.tap.write(bytes);
  }

  /**
   * An answer made here that no policy shapes goes out as its bytes, and the call closes on
   * what we know of it: decoding our own encoder's output again was most of the cost of a
   * `hello` answered here (bench/hello.js).
   */
  private sendWhole(record: CallRecord, answer: MessageAnswer, protocol: 1 | 2 | 3): void | Promise<void> {
    const wire = this.encoder.encoded(answer, protocol, record.verb);
    record.status = answer.status;
    record.responseArgs = wire.args;
    record.responseHeaders = wire.headers;
    record.responseRaw = wire.raw;
    const wait = this.send(wire.bytes);
    if (!this.host.isClosed()) this.finish(record);
    return wait;
  }

  /** A relayed response's bytes until its stream ends (the relay ends it at the response's last byte). */
  private relay(record: CallRecord, answer: RelayedAnswer): Promise<void> {
    this.tap.expect(record);
    return new Promise((resolve) => {
      answer.bytes.pipe({
        data: (chunk) => (this.host.isClosed() ? undefined : this.tap.write(chunk)),
        end: (error) => {
          if (error && this.queue[0] === record) this.fail(record, { kind: 'transport', message: error.message });
          resolve();
        },
      });
    });
  }

  private async stream(record: CallRecord, answer: MessageAnswer, protocol: 1 | 2 | 3): Promise<void> {
    for await (const piece of this.encoder.streamed(answer, protocol, record.verb)) {
      if (this.host.isClosed()) return;
      await this.tap.write(piece);
    }
  }

  /** The answer's bytes are out: the tap closed the call, unless it could not decode them. */
  private afterWrite(record: CallRecord): void {
    if (this.queue[0] !== record) return;
    if (!this.tap.decoding) this.finish(record);
    else this.fail(record, { kind: 'transport', message: 'the response ended before it was complete' });
  }

  private writeFailed(record: CallRecord, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.host.emit({ type: 'error', mediumId: this.host.mediumId, kind: 'internal', message: `${record.verb}: ${message}`, fatal: true });
    this.fail(record, { kind: 'internal', message });
    this.host.close(`error: ${message}`);
  }

  /** The tap saw the call's whole response. */
  private finish(record: CallRecord): void {
    const index = this.queue.indexOf(record);
    if (index === -1) return;
    this.queue.splice(index, 1);
    record.finished = true;
    this.done += 1;
    this.host.emit(record.finishedEvent(this.host.mediumId));
    this.host.finished(record, false);
  }

  /** Writes to the client under the byte policies (a byte budget, a bandwidth cap). */
  private send(bytes: Uint8Array): void | Promise<void> {
    if (this.host.isClosed()) return;
    const head = this.queue[0];
    const cut = this.host.policies.outgoing(this.bytesSent, bytes.length, head ? { callId: head.callId, verb: head.verb } : null);
    const out = cut ? bytes.subarray(0, cut.allow) : bytes;
    this.bytesSent += out.length;
    const wait = out.length > 0 ? this.host.write(out) : undefined;
    if (cut) {
      this.host.close(cut.reason);
      return;
    }
    const paceMs = this.host.policies.pace('out', out.length);
    if (paceMs >= 1) return Promise.resolve(wait).then(() => sleep(paceMs));
    return wait;
  }
}
