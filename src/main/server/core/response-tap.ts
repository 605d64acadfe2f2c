/**
 * The way out of every response, relayed or made here: its bytes go to the client in
 * order, unchanged unless a policy says otherwise, while a response decoder (told each
 * call's version and verb, in order) closes each call and places the response policies in
 * the byte stream: delay a response, cut a body, replace a v3 response's headers.
 *
 * Invariants: bytes reach the client in stream order; only a v3 header being replaced is
 * held back (from its first byte until the decoder has it whole); a tap that cannot decode
 * (a peer that sent garbage) stops watching but never stops the bytes.
 */
import type { BValue, DecodeEvent } from '../../../shared/protocol';
import { bencode, MESSAGE_VERSION_THREE, ResponseStreamDecoder, v1ResponseStatus } from '../../../shared/protocol';
import { HeadersJson, RawStreamTap } from '../../medium/wire-capture';
import type { CallRecord } from './call-record';
import { sleep, type PolicyRunner } from './policy-runner';

/** What the tap needs from its connection. */
export interface ResponseTapHost {
  policies: PolicyRunner;
  /** Writes to the client under the byte policies. */
  send(bytes: Uint8Array): void | Promise<void>;
  /** The call's response ended on the wire. */
  complete(record: CallRecord): void;
  close(reason: string): void;
  isClosed(): boolean;
  tapFailed(message: string): void;
}

/** One thing to do at a stream offset, found while the tap decodes a chunk. */
type Step =
  | { kind: 'delay'; at: number; record: CallRecord }
  | { kind: 'complete'; at: number; record: CallRecord }
  | { kind: 'cut'; at: number; reason: string }
  | { kind: 'replace'; at: number; end: number; bytes: Uint8Array };

export class ResponseTap {
  private readonly decoder = new ResponseStreamDecoder((ev) => this.onEvent(ev));
  /** Calls whose response is not decoded yet, in order. */
  private readonly awaiting: CallRecord[] = [];
  private fed = 0;
  private steps: Step[] = [];
  private broken = false;
  /** The chunk being decoded, to place body views (`body-data`) in the stream. */
  private feeding: Uint8Array | null = null;
  private feedingBase = 0;
  /** A v3 header to replace starts here: nothing at or after it is sent until it is whole. */
  private holdFrom: number | null = null;
  private held: Uint8Array | null = null;
  private heldBase = 0;
  /** Bytes before this offset were replaced and are not sent. */
  private skipUntil = 0;
  private responseStart = 0;
  private bodySeen = false;
  private readonly rawTap = new RawStreamTap();
  private readonly headersJson = new HeadersJson();

  constructor(private readonly host: ResponseTapHost) {}

  /** Between responses, holding nothing back: a whole response may go out without it. */
  get idle(): boolean {
    return this.awaiting.length === 0 && this.held === null;
  }

  /** Whether the tap still decodes (a broken one cannot tell where a response ends). */
  get decoding(): boolean {
    return !this.broken;
  }

  /** The next response to go out is this call's (in `protocol`, when an answer is in another version). */
  expect(record: CallRecord, protocol = record.protocol): void {
    this.awaiting.push(record);
    this.decoder.expect({ protocol, verb: record.verb });
  }

  /** Forgets a call the tap could not close (its bytes ended before its response did). */
  forget(record: CallRecord): void {
    const i = this.awaiting.indexOf(record);
    if (i >= 0) this.awaiting.splice(i, 1);
  }

  /** Response bytes, in stream order. A promise: wait before the next chunk. */
  write(chunk: Uint8Array): void | Promise<void> {
    const chunkBase = this.fed;
    this.steps = [];
    if (!this.broken) {
      this.feeding = chunk;
      this.feedingBase = chunkBase;
      this.rawTap.chunk(chunk, chunkBase);
      try {
        this.decoder.feed(chunk);
      } catch (err) {
        this.broken = true;
        this.holdFrom = null;
        this.host.tapFailed(`undecodable response: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.feeding = null;
    }
    this.fed += chunk.length;
    let window = chunk;
    let base = chunkBase;
    if (this.held) {
      window = new Uint8Array(this.held.length + chunk.length);
      window.set(this.held);
      window.set(chunk, this.held.length);
      base = this.heldBase;
      this.held = null;
    }
    return this.forward(window, base, this.steps, 0);
  }

  private onEvent(ev: DecodeEvent): void {
    const record = this.awaiting[0];
    if (!record) return;
    switch (ev.type) {
      case 'message-start':
        this.responseStart = ev.offset;
        this.bodySeen = false;
        record.responseRaw = this.rawTap.start(ev.offset);
        record.responseHeaders = null;
        this.steps.push({ kind: 'delay', at: ev.offset, record });
        if (ev.protocol === 3 && this.host.policies.rewritesHeaders()) this.holdFrom = ev.offset + MESSAGE_VERSION_THREE.length;
        return;
      case 'headers': {
        record.responseHeaders = this.headersJson.of(ev.headers);
        if (this.holdFrom === null) return;
        const changed = this.host.policies.responseHeaders(ev.headers);
        if (changed) this.steps.push(this.headerReplacement(ev.headers, changed));
        else this.holdFrom = null;
        return;
      }
      case 'body-part-start':
        record.responseBody.part();
        return;
      case 'body-data':
        if (!this.bodySeen) {
          this.bodySeen = true;
          const cut = this.host.policies.responseBody({ callId: record.callId, verb: record.verb });
          if (cut) this.steps.push({ kind: 'cut', at: this.cutPoint(ev.data), reason: cut });
        }
        record.responseBody.data(ev.data);
        return;
      case 'message-end':
        record.status = ev.summary.postBodyStatus ?? ev.summary.status ?? v1ResponseStatus(ev.summary.args);
        record.responseArgs = ev.summary.postBodyArgs ?? ev.summary.args;
        this.awaiting.shift();
        this.rawTap.end(ev.offset + ev.length);
        this.steps.push({ kind: 'complete', at: ev.offset + ev.length, record });
        return;
      default:
        return;
    }
  }

  /** Breezy writes headers as canonical bencode, so the original block's length is that of re-encoding it. */
  private headerReplacement(original: Map<string, BValue>, changed: Map<string, BValue>): Step {
    const at = this.responseStart + MESSAGE_VERSION_THREE.length;
    const originalLength = bencode(original).length;
    const dict = bencode(changed);
    const bytes = new Uint8Array(4 + dict.length);
    new DataView(bytes.buffer).setUint32(0, dict.length);
    bytes.set(dict, 4);
    return { kind: 'replace', at, end: at + 4 + originalLength, bytes };
  }

  /** The middle of the first body bytes seen; `data` is a view into the fed chunk (else its start). */
  private cutPoint(data: Uint8Array): number {
    const chunk = this.feeding;
    if (!chunk || data.buffer !== chunk.buffer) return this.feedingBase;
    return this.feedingBase + data.byteOffset - chunk.byteOffset + Math.floor(data.length / 2);
  }

  /** Sends `window` (stream offset `base`) from `from`, acting on `steps` in order. */
  private forward(window: Uint8Array, base: number, steps: Step[], from: number): void | Promise<void> {
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
          const ms = this.host.policies.responseStartDelay({ callId: step.record.callId, verb: step.record.verb });
          if (ms > 0) return sleep(ms).then(() => this.forward(window, base, steps.slice(i + 1), sent));
          break;
        }
        case 'cut':
          this.host.close(step.reason);
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
        this.held = window.slice(keepFrom);
        this.heldBase = base + keepFrom;
      }
    }
    return wait;
  }

  /** Sends window[from, to) minus replaced bytes and what is held for a header rewrite. */
  private sendRange(window: Uint8Array, base: number, from: number, to: number): void | Promise<void> {
    const start = Math.max(from, this.skipUntil - base);
    const end = this.holdFrom === null ? to : Math.min(to, this.holdFrom - base);
    if (end <= start) return;
    return this.host.send(start === 0 && end === window.length ? window : window.subarray(start, end));
  }
}
