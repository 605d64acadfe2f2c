/**
 * From a request whose verb is known to its answer: the policies decide first (answer
 * here, drop the connection, or delay), then the backend gets the call; a backend that
 * throws or fails is answered with an internal error, never left hanging. One per
 * connection; the per-connection state the backend keeps lives here.
 */
import type { IdKind } from '../../../shared/ids';
import type { BValue, ProtocolVersion } from '../../../shared/protocol';
import { isVfsVerb, verbKind, verbOf } from '../../../shared/protocol';
import type { JsonObject, UnstampedEvent } from '../../../shared/events';
import type { RawCapture } from '../../medium/wire-capture';
import type { BackendConnection } from '../backends/backend';
import { ByteStream } from './byte-stream';
import { CallRecord } from './call-record';
import type { OutgoingAnswers } from './outgoing-answers';
import { sleep, type PolicyRunner } from './policy-runner';
import type { Answer, ServerCall } from './server-call';

/** Drops what it is given: the bytes of a request answered without being read. */
const DISCARD = { data: () => undefined, end: () => undefined };

/** What the request decoder knows of a request when its verb arrives. */
export interface RequestStart {
  protocol: ProtocolVersion;
  /** performance.now() at the request's first byte. */
  startedAt: number;
  headers: JsonObject | null;
  raw: RawCapture;
}

export interface CallDispatchOptions {
  backend: BackendConnection;
  policies: PolicyRunner;
  answers: OutgoingAnswers;
  ids: { take(kind: IdKind): string };
  emit: (event: UnstampedEvent) => void;
  mediumId: string;
  isClosed: () => boolean;
}

export class CallDispatch {
  private readonly state = new Map<string, unknown>();

  constructor(private readonly opts: CallDispatchOptions) {}

  /** The verb is known: the policies decide, then the backend gets the call (or not). */
  newCall(request: RequestStart, args: readonly BValue[]): CallRecord {
    const { policies, answers, backend } = this.opts;
    const verb = verbOf(args);
    const vfs = isVfsVerb(verb);
    const record = new CallRecord(this.opts.ids.take('call'), request.protocol, verb, args.slice(1), verbKind(verb), vfs, request.startedAt, request.headers, request.raw);
    const outcome = policies.request({ protocol: request.protocol, verb, args: record.args, vfs }, record.callId);
    answers.push(record);
    if (outcome.kind === 'drop') {
      record.route = 'dropped';
      return record;
    }
    if (outcome.kind === 'answer') {
      record.route = 'policy';
      answers.ready(record, { status: outcome.answer.status, args: outcome.answer.args, ...(outcome.answer.protocol ? { protocol: outcome.answer.protocol } : {}) });
      return record;
    }
    const call: ServerCall = {
      callId: record.callId,
      protocol: record.protocol,
      verb,
      args: record.args,
      verbKind: record.verbKind,
      vfs,
      body: backend.input === 'body' ? new ByteStream() : ByteStream.EMPTY,
      wire: backend.input === 'wire' ? new ByteStream() : ByteStream.EMPTY,
      state: this.state,
    };
    record.call = call;
    if (outcome.delayMs > 0) void sleep(outcome.delayMs).then(() => this.handle(record, call));
    else this.handle(record, call);
    return record;
  }

  private handle(record: CallRecord, call: ServerCall): void {
    if (this.opts.isClosed()) return;
    let result: Answer | Promise<Answer>;
    try {
      result = this.opts.backend.handle(call);
    } catch (err) {
      result = Promise.reject(err);
    }
    if (!(result instanceof Promise)) {
      this.answered(record, result);
      return;
    }
    result.then(
      (answer) => this.answered(record, answer),
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.opts.emit({ type: 'error', mediumId: this.opts.mediumId, kind: 'internal', message: `${record.verb}: ${message}`, fatal: false });
        this.answered(record, { status: 'E', args: ['error', `hpss: internal error: ${message}`] });
      },
    );
  }

  private answered(record: CallRecord, answer: Answer): void {
    if (answer.kind === 'relayed') {
      if (answer.via) record.upstreamMediumId = answer.via;
    } else if (record.call) {
      // Answered without reading the request (a refusal): its bytes are dropped as they come,
      // so the client is never held up by a queue nobody reads.
      for (const stream of [record.call.body, record.call.wire]) if (stream !== ByteStream.EMPTY && !stream.hasConsumer) stream.pipe(DISCARD);
    }
    this.opts.answers.ready(record, answer);
  }
}
