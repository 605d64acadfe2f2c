/**
 * One call as the connection core tracks it: the request's head, how it is being answered,
 * what went over the wire, and the summaries `call-started` / `call-finished` carry.
 */
import type { BodySummary, ErrorKind, JsonObject, JsonValue, UnstampedEvent, VerbKind } from '../../../shared/events';
import type { BValue, ProtocolVersion, ResponseStatus } from '../../../shared/protocol';
import { argsToBoundedJson, renderBytes } from '../../../shared/protocol';
import type { RawCapture } from '../../medium/wire-capture';
import type { Answer, ServerCall } from './server-call';

/** Events show at most this many leading body bytes. */
export const BODY_PREVIEW_BYTES = 48;

/** Counts a message's body parts and keeps its first bytes for the preview. */
export class BodyTally {
  length = 0;
  parts = 0;
  /** Made at the first body byte: most messages have no body. */
  private head: Uint8Array | null = null;
  private headLength = 0;

  part(): void {
    this.parts += 1;
  }

  data(bytes: Uint8Array): void {
    this.length += bytes.length;
    if (this.headLength < BODY_PREVIEW_BYTES) {
      const take = Math.min(bytes.length, BODY_PREVIEW_BYTES - this.headLength);
      this.head ??= new Uint8Array(BODY_PREVIEW_BYTES);
      this.head.set(bytes.subarray(0, take), this.headLength);
      this.headLength += take;
    }
  }

  /** null when the message had no body at all. */
  summary(): BodySummary | null {
    if (this.parts === 0 && this.length === 0) return null;
    return { length: this.length, parts: Math.max(this.parts, 1), preview: this.head ? renderBytes(this.head.subarray(0, this.headLength)) : '' };
  }
}

/** How a call is answered: by the backend, by a policy here, or not at all (the policy dropped the connection). */
export type CallRoute = 'backend' | 'policy' | 'dropped';

export class CallRecord {
  readonly requestBody = new BodyTally();
  readonly responseBody = new BodyTally();
  requestEnded = false;
  route: CallRoute = 'backend';
  /** The backend's view of it, when the backend handles it. */
  call: ServerCall | null = null;
  /** Set once known; answers go out in call order. */
  answer: Answer | null = null;
  /** What the response said, as the tap decoded it. */
  status: ResponseStatus | null = null;
  responseArgs: readonly BValue[] = [];
  responseHeaders: JsonObject | null = null;
  responseRaw: RawCapture | null = null;
  /** The medium a relaying backend sent it over (the proxy's upstream), for its counts. */
  upstreamMediumId: string | undefined;
  started = false;
  finished = false;

  constructor(
    readonly callId: string,
    readonly protocol: ProtocolVersion,
    readonly verb: string,
    readonly args: readonly BValue[],
    readonly verbKind: VerbKind,
    readonly vfs: boolean,
    /** When the request's first byte arrived (ms, performance clock). */
    readonly startedAt: number,
    readonly requestHeaders: JsonObject | null,
    readonly requestRaw: RawCapture,
  ) {}

  startedEvent(mediumId: string): UnstampedEvent {
    return {
      type: 'call-started',
      mediumId,
      callId: this.callId,
      protocol: this.protocol,
      verb: this.verb,
      args: argsToBoundedJson(this.args),
      verbKind: this.verbKind,
      vfs: this.vfs,
      requestBody: this.requestBody.summary(),
      headers: this.requestHeaders,
      raw: this.requestRaw.toJson(),
      ...(this.upstreamMediumId ? { upstreamMediumId: this.upstreamMediumId } : {}),
    };
  }

  /** `error` when the call ended without a complete response. */
  finishedEvent(mediumId: string, error?: { kind: ErrorKind; message: string }): UnstampedEvent {
    const args: JsonValue[] = argsToBoundedJson(this.responseArgs);
    const timing = this.answer?.kind === 'relayed' ? this.answer.timing : undefined;
    const now = performance.now();
    return {
      type: 'call-finished',
      mediumId,
      callId: this.callId,
      verb: this.verb,
      status: error ? null : this.status,
      args,
      responseBody: this.responseBody.summary(),
      durationMs: now - this.startedAt - (timing?.setupWaitMs ?? 0),
      ...(timing?.sentAt != null ? { peerMs: (timing.answeredAt ?? now) - timing.sentAt } : {}),
      ...(error ? { error } : {}),
      ...(this.responseRaw ? { headers: this.responseHeaders, raw: this.responseRaw.toJson() } : {}),
    };
  }
}

/** Bytes fed but not yet routed, as received (no copy unless a chunk is split). */
export class PendingBytes {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Removes and returns the first `count` bytes as the chunks (or parts of them) they arrived in. */
  take(count: number): Uint8Array[] {
    const parts: Uint8Array[] = [];
    let need = Math.min(count, this.size);
    this.size -= need;
    while (need > 0) {
      const head = this.chunks[0];
      if (head.length <= need) {
        parts.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    return parts;
  }

  /** Keeps only the first `count` bytes. */
  truncate(count: number): void {
    const kept = this.take(count);
    this.chunks.length = 0;
    this.size = 0;
    for (const k of kept) this.push(k);
  }
}
