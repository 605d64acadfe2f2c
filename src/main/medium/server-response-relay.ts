/**
 * The server → client half of a relay: upstream bytes go to the client unchanged, while
 * a response decoder (told each relayed request's version and verb, in order) closes
 * each call and places the response-side policies in the byte stream: delay a response,
 * cut a body part, replace a v3 response's `Software version` header.
 *
 * Invariants: bytes reach the client in stream order; only a v3 header being replaced is
 * held back (from its first byte until the decoder has it whole); a tap that cannot decode
 * stops watching but never stops the bytes.
 */
import type { PolicySettings } from '../../shared/api';
import type { BValue, DecodeEvent } from '../../shared/protocol';
import { argsToJson, bencode, MESSAGE_VERSION_THREE, ResponseStreamDecoder } from '../../shared/protocol';
import { retryClass, type PolicyAction } from '../server/policies/decide';
import { sleep } from '../server/policies/pacing';
import type { CallRecord } from './server-call-record';
import { asError } from './server-medium';
import { HeadersJson, RawStreamTap } from './wire-capture';

/** What the relay needs from its serve loop. */
export interface ResponseRelayHost {
  policy(): PolicySettings;
  /** Writes to the client under the byte-count and bandwidth policies. */
  send(bytes: Uint8Array): void | Promise<void>;
  complete(record: CallRecord): void;
  report(actions: PolicyAction[]): void;
  close(reason: string): void;
  isClosed(): boolean;
  tapFailed(message: string): void;
}

/** One thing to do at a stream offset, found while the tap decodes a chunk. */
type Step =
  | { kind: 'delay'; at: number; verb: string }
  | { kind: 'complete'; at: number; record: CallRecord }
  | { kind: 'cut'; at: number; verb: string }
  | { kind: 'replace'; at: number; end: number; bytes: Uint8Array };

export class ResponseRelay {
  private readonly decoder = new ResponseStreamDecoder((ev) => this.onEvent(ev));
  /** Relayed calls whose response is not decoded yet, in order. */
  private readonly awaiting: CallRecord[] = [];
  private fed = 0;
  private steps: Step[] = [];
  private tapBroken = false;
  /** The chunk being decoded, to place body views (`body-data`) in the stream. */
  private feeding: Buffer | null = null;
  private feedingBase = 0;
  /** A v3 header to replace starts here: nothing at or after it is sent until it is whole. */
  private holdFrom: number | null = null;
  private held: Buffer | null = null;
  private heldBase = 0;
  /** Upstream bytes before this offset were replaced and are not sent. */
  private skipUntil = 0;
  private responseStart = 0;
  /** Each response's headers and first bytes, for its call's detail. */
  private readonly rawTap = new RawStreamTap();
  private readonly headersJson = new HeadersJson();

  constructor(private readonly host: ResponseRelayHost) {}

  /** The next relayed request, in order. */
  expect(record: CallRecord): void {
    this.awaiting.push(record);
    this.decoder.expect({ protocol: record.protocol, verb: record.verb });
  }

  onChunk(chunk: Buffer): void | Promise<void> {
    const chunkBase = this.fed;
    this.steps = [];
    if (!this.tapBroken) {
      this.feeding = chunk;
      this.feedingBase = chunkBase;
      this.rawTap.chunk(chunk, chunkBase);
      try {
        this.decoder.feed(chunk);
      } catch (err) {
        this.tapBroken = true;
        this.holdFrom = null;
        this.host.tapFailed(`undecodable response: ${asError(err).message}`);
      }
      this.feeding = null;
    }
    this.fed += chunk.length;
    const window = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    const base = this.held ? this.heldBase : chunkBase;
    this.held = null;
    return this.forward(window, base, this.steps, 0);
  }

  private onEvent(ev: DecodeEvent): void {
    const record = this.awaiting[0];
    if (!record) return;
    const policy = this.host.policy();
    switch (ev.type) {
      case 'message-start':
        this.responseStart = ev.offset;
        record.responseRaw = this.rawTap.start(ev.offset);
        record.responseHeaders = null;
        if (policy.responseDelayMs > 0) this.steps.push({ kind: 'delay', at: ev.offset, verb: record.verb });
        if (ev.protocol === 3 && policy.emulate.softwareVersion !== null) this.holdFrom = ev.offset + MESSAGE_VERSION_THREE.length;
        return;
      case 'headers':
        record.responseHeaders = this.headersJson.of(ev.headers);
        if (this.holdFrom !== null) this.steps.push(this.headerReplacement(ev.headers, policy.emulate.softwareVersion ?? ''));
        return;
      case 'body-part-start':
        record.responseBody.part();
        return;
      case 'body-data':
        if (policy.cutBodyOfVerb === record.verb && !this.steps.some((s) => s.kind === 'cut')) {
          this.steps.push({ kind: 'cut', at: this.cutPoint(ev.data), verb: record.verb });
        }
        record.responseBody.data(ev.data);
        return;
      case 'message-end':
        record.status = ev.summary.postBodyStatus ?? ev.summary.status;
        record.responseArgs = argsToJson(ev.summary.postBodyArgs ?? ev.summary.args);
        this.awaiting.shift();
        this.rawTap.end(ev.offset + ev.length);
        this.steps.push({ kind: 'complete', at: ev.offset + ev.length, record });
        return;
      default:
        return;
    }
  }

  /** Breezy writes headers as canonical bencode, so the original block's length is that of re-encoding it. */
  private headerReplacement(headers: Map<string, BValue>, version: string): Step {
    const at = this.responseStart + MESSAGE_VERSION_THREE.length;
    const original = bencode(headers).length;
    const changed = new Map(headers);
    changed.set('Software version', new TextEncoder().encode(version));
    const dict = bencode(changed);
    const bytes = new Uint8Array(4 + dict.length);
    new DataView(bytes.buffer).setUint32(0, dict.length);
    bytes.set(dict, 4);
    return { kind: 'replace', at, end: at + 4 + original, bytes };
  }

  /** The middle of the first body bytes seen; `data` is a view into the fed chunk (else its start). */
  private cutPoint(data: Uint8Array): number {
    const chunk = this.feeding;
    if (!chunk || data.buffer !== chunk.buffer) return this.feedingBase;
    return this.feedingBase + data.byteOffset - chunk.byteOffset + Math.floor(data.length / 2);
  }

  /** Sends `window` (stream offset `base`) from `from`, acting on `steps` in order. */
  private forward(window: Buffer, base: number, steps: Step[], from: number): void | Promise<void> {
    let sent = from;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const upTo = Math.max(sent, Math.min(window.length, step.at - base));
      const wait = this.sendRange(window, base, sent, upTo);
      sent = upTo;
      if (wait) return wait.then(() => this.forward(window, base, steps.slice(i), sent));
      if (this.host.isClosed()) return;
      switch (step.kind) {
        case 'delay': {
          const ms = this.host.policy().responseDelayMs;
          this.host.report([{ policy: 'response-delay', action: `delayed the response ${ms} ms`, verb: step.verb, retryClass: retryClass(step.verb) }]);
          return sleep(ms).then(() => this.forward(window, base, steps.slice(i + 1), sent));
        }
        case 'cut':
          this.host.report([{ policy: 'cut-body', action: 'cut the connection inside a response body', verb: step.verb, retryClass: retryClass(step.verb) }]);
          this.host.close(`policy cut the response body of ${step.verb}`);
          return;
        case 'replace': {
          this.holdFrom = null;
          this.skipUntil = step.end;
          const wrote = this.host.send(step.bytes);
          if (wrote) return wrote.then(() => this.forward(window, base, steps.slice(i + 1), sent));
          break;
        }
        case 'complete':
          this.host.complete(step.record);
          break;
      }
    }
    const wait = this.sendRange(window, base, sent, window.length);
    if (this.holdFrom !== null && !this.host.isClosed()) {
      const keepFrom = Math.max(sent, this.holdFrom - base);
      if (keepFrom < window.length) {
        this.held = Buffer.from(window.subarray(keepFrom));
        this.heldBase = base + keepFrom;
      }
    }
    return wait;
  }

  /** Sends window[from, to) minus replaced bytes and what is held for a header rewrite. */
  private sendRange(window: Buffer, base: number, from: number, to: number): void | Promise<void> {
    const start = Math.max(from, this.skipUntil - base);
    const end = this.holdFrom === null ? to : Math.min(to, this.holdFrom - base);
    if (end <= start) return;
    return this.host.send(window.subarray(start, end));
  }
}
