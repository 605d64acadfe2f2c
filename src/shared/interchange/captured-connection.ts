/**
 * One HPSS connection of a capture, as the engine's server medium would have recorded it:
 * `medium-opened`, `bytes` (read = client→server, written = server→client, at most one
 * event per direction per 50 ms as the engine's ByteReporter), `call-started` at each
 * request's end, `call-finished` at its response's end, `medium-closed`, all at the times
 * the bytes were captured.
 *
 * What could not be decoded is said, never guessed: a stream whose start was not captured,
 * a gap (segments the capture lost), or bytes that do not decode end the calls in flight
 * with an error and an `error` event naming the bytes; decoding resumes at the next
 * request marker (v3 `bzr message 3 (bzr 1.6)\n`, v2 `bzr request 2\n`), and responses at
 * the next response marker after it. v1 has no marker: a v1 connection cannot resume.
 */
import type { BodySummary, ErrorKind, JsonObject, JsonValue, RawBytes, UnstampedEvent } from '../events';
import {
  ConnectionDecoder, HpssError, MESSAGE_VERSION_THREE, REQUEST_VERSION_TWO, RESPONSE_VERSION_TWO, argsToJson, headersToJson,
  isVfsVerb, renderBytes, verbKind, verbOf, type DecodeEvent, type Direction, type ProtocolVersion,
} from '../protocol';
import { ImportedEvents, MessagePrefixes } from './imported-events';

const BYTES_EVENT_MS = 50;
const BODY_PREVIEW_BYTES = 48;

interface Message {
  protocol: ProtocolVersion;
  startT: number;
  headers: JsonObject | null;
  bodyHead: Uint8Array;
  bodyHeadLength: number;
}

interface OpenCall {
  callId: string;
  verb: string;
  startT: number;
}

/** Finds a marker across chunk boundaries, keeping only the last few bytes of what it passed. */
class MarkerSeeker {
  private tail = new Uint8Array(0);

  constructor(private readonly markers: Uint8Array[]) {}

  /** The bytes from the first marker on (a copy joining the kept tail), or null when there is none yet. */
  seek(chunk: Uint8Array): Uint8Array | null {
    const joined = new Uint8Array(this.tail.length + chunk.length);
    joined.set(this.tail);
    joined.set(chunk, this.tail.length);
    let found = -1;
    for (const m of this.markers) {
      const i = indexOf(joined, m);
      if (i >= 0 && (found < 0 || i < found)) found = i;
    }
    if (found >= 0) {
      this.tail = new Uint8Array(0);
      return joined.subarray(found);
    }
    // A marker may begin in this chunk and end in the next: keep what could be its start.
    const keep = Math.min(joined.length, Math.max(...this.markers.map((m) => m.length)) - 1);
    this.tail = joined.slice(joined.length - keep);
    return null;
  }
}

export function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first, from); i >= 0 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export class CapturedConnection {
  private decoder: ConnectionDecoder | null = null;
  private seekRequests: MarkerSeeker | null = null;
  private seekResponses: MarkerSeeker | null = null;
  private syncedAt = 0;
  private readonly fed = { c2s: 0, s2c: 0 };
  private readonly seen = { c2s: 0, s2c: 0 };
  private readonly prefixes = { c2s: new MessagePrefixes(), s2c: new MessagePrefixes() };
  private readonly message: { c2s: Message | null; s2c: Message | null } = { c2s: null, s2c: null };
  private readonly awaiting: OpenCall[] = [];
  private requestHead: { verb: string; args: JsonValue[] } | null = null;
  private now = 0;
  private calls = 0;
  private vfsCalls = 0;
  private readonly unreported = { read: 0, written: 0 };
  private readonly reportedAt = { read: -Infinity, written: -Infinity };
  private closed = false;
  /** What could not be decoded, for the import's report. */
  readonly problems: string[] = [];

  constructor(
    private readonly out: ImportedEvents,
    readonly mediumId: string,
    private readonly nextCallId: () => string,
    opened: { t: number; client: string; server: string; startSeen: boolean },
  ) {
    out.add({ type: 'medium-opened', mediumId, kind: 'tcp-server', role: 'server', peer: opened.client }, opened.t);
    if (opened.startSeen) this.resume(opened.t, false);
    else {
      this.startSeeking();
      this.problem(opened.t, 'protocol', `the start of the connection to ${opened.server} was not captured: decoding begins at the first request marker`);
    }
  }

  /** Bytes the client sent (`c2s`) or the server sent (`s2c`), in order, at capture time `t`. */
  data(dir: Direction, bytes: Uint8Array, t: number): void {
    this.now = t;
    this.seen[dir] += bytes.length;
    this.countBytes(dir === 'c2s' ? 'read' : 'written', bytes.length, t);
    if (dir === 'c2s' && this.seekRequests) {
      const from = this.seekRequests.seek(bytes);
      if (!from) return;
      this.note('requests', this.seen.c2s - from.length);
      this.seekRequests = null;
      this.resume(t, true);
      this.feed('c2s', from);
      return;
    }
    if (dir === 's2c' && this.seekResponses) {
      // Until a request is decoded, response bytes answer requests we do not have.
      if (this.seekRequests || t < this.syncedAt) return;
      const from = this.seekResponses.seek(bytes);
      if (!from) return;
      this.note('responses', this.seen.s2c - from.length);
      this.seekResponses = null;
      this.feed('s2c', from);
      return;
    }
    this.feed(dir, bytes);
  }

  /** `missing` bytes of one direction were not captured. */
  gap(dir: Direction, missing: number, t: number): void {
    this.now = t;
    this.seen[dir] += missing;
    this.countBytes(dir === 'c2s' ? 'read' : 'written', missing, t);
    if (!this.decoder && (dir === 'c2s' ? this.seekRequests : this.seekResponses)) return;
    const which = dir === 'c2s' ? 'requests' : 'responses';
    this.breakOff(t, 'transport', `${missing} bytes of ${which} not captured (after byte ${this.seen[dir] - missing})`);
  }

  close(t: number, reason: string): void {
    if (this.closed) return;
    this.now = t;
    if (this.decoder) {
      try {
        this.decoder.finish();
      } catch (err) {
        if (!(err instanceof HpssError)) throw err;
        this.problem(t, 'protocol', `the connection ${reason} inside a message: ${err.message}`);
      }
    }
    this.endCalls(t, 'transport', `no response: the connection ${reason}`);
    for (const dir of ['read', 'written'] as const) this.flushBytes(dir, t);
    this.closed = true;
    this.out.add({ type: 'medium-closed', mediumId: this.mediumId, reason, calls: this.calls, vfsCalls: this.vfsCalls }, t);
  }

  private feed(dir: Direction, bytes: Uint8Array): void {
    const decoder = this.decoder;
    if (!decoder) return;
    this.prefixes[dir].chunk(bytes, this.fed[dir]);
    this.fed[dir] += bytes.length;
    try {
      if (dir === 'c2s') decoder.feedRequestBytes(bytes);
      else decoder.feedResponseBytes(bytes);
    } catch (err) {
      if (!(err instanceof HpssError)) throw err;
      const which = dir === 'c2s' ? 'requests' : 'responses';
      this.breakOff(this.now, 'protocol', `${which} do not decode: ${err.message}`);
    }
  }

  /** A fresh decoder from here on; `fromMarker`: the streams were entered at a marker, not at their start. */
  private resume(t: number, fromMarker: boolean): void {
    this.syncedAt = t;
    this.fed.c2s = 0;
    this.fed.s2c = 0;
    this.prefixes.c2s = new MessagePrefixes();
    this.prefixes.s2c = new MessagePrefixes();
    this.message.c2s = null;
    this.message.s2c = null;
    this.requestHead = null;
    this.decoder = new ConnectionDecoder((dir, e) => this.onDecoded(dir, e));
    if (fromMarker) this.seekResponses = new MarkerSeeker([MESSAGE_VERSION_THREE, RESPONSE_VERSION_TWO]);
  }

  private startSeeking(): void {
    this.decoder = null;
    this.seekRequests = new MarkerSeeker([MESSAGE_VERSION_THREE, REQUEST_VERSION_TWO]);
    this.seekResponses = new MarkerSeeker([MESSAGE_VERSION_THREE, RESPONSE_VERSION_TWO]);
  }

  /** Calls in flight end with an error; decoding resumes at the next markers. */
  private breakOff(t: number, kind: ErrorKind, why: string): void {
    this.problem(t, kind, `${why}; decoding resumes at the next request marker`);
    this.endCalls(t, kind, why);
    this.startSeeking();
  }

  /** Where decoding picked up again: for the report only (the `error` event that made it went out already). */
  private note(which: 'requests' | 'responses', at: number): void {
    this.problems.push(`${which} decoded from byte ${at} on (a message marker)`);
  }

  private problem(t: number, kind: ErrorKind, message: string): void {
    this.out.add({ type: 'error', mediumId: this.mediumId, kind, message, fatal: false }, t);
    this.problems.push(message);
  }

  private onDecoded(dir: Direction, e: DecodeEvent): void {
    const t = this.now;
    switch (e.type) {
      case 'message-start':
        this.message[dir] = { protocol: e.protocol, startT: t, headers: null, bodyHead: new Uint8Array(BODY_PREVIEW_BYTES), bodyHeadLength: 0 };
        return;
      case 'headers': {
        const m = this.message[dir];
        const json = headersToJson(e.headers);
        if (m && json !== null && typeof json === 'object' && !Array.isArray(json)) m.headers = json;
        return;
      }
      case 'args':
        if (dir === 'c2s') this.requestHead = { verb: verbOf(e.args), args: argsToJson(e.args.slice(1)) };
        return;
      case 'body-data': {
        const m = this.message[dir];
        if (m && m.bodyHeadLength < BODY_PREVIEW_BYTES) {
          const take = Math.min(e.data.length, BODY_PREVIEW_BYTES - m.bodyHeadLength);
          m.bodyHead.set(e.data.subarray(0, take), m.bodyHeadLength);
          m.bodyHeadLength += take;
        }
        return;
      }
      case 'message-end': {
        const raw = this.prefixes[dir].end(e.offset + e.length);
        const m = this.message[dir];
        this.message[dir] = null;
        if (dir === 'c2s') this.requestEnded(e.summary.protocol, m, raw, e.summary.body, t);
        else this.responseEnded(m, raw, e.summary, t);
        return;
      }
      default:
        return;
    }
  }

  private requestEnded(protocol: ProtocolVersion, m: Message | null, raw: RawBytes, body: { length: number; parts: number } | null, t: number): void {
    const head = this.requestHead ?? { verb: '', args: [] };
    this.requestHead = null;
    const vfs = isVfsVerb(head.verb);
    const call: OpenCall = { callId: this.nextCallId(), verb: head.verb, startT: m?.startT ?? t };
    this.calls++;
    if (vfs) this.vfsCalls++;
    this.awaiting.push(call);
    this.out.add(
      {
        type: 'call-started',
        mediumId: this.mediumId,
        callId: call.callId,
        protocol,
        verb: head.verb,
        args: head.args,
        verbKind: verbKind(head.verb),
        vfs,
        requestBody: bodySummary(body, m),
        headers: m?.headers ?? null,
        raw,
      },
      t,
    );
  }

  private responseEnded(m: Message | null, raw: RawBytes, summary: Extract<DecodeEvent, { type: 'message-end' }>['summary'], t: number): void {
    const call = this.awaiting.shift();
    if (!call) return;
    this.out.add(
      {
        type: 'call-finished',
        mediumId: this.mediumId,
        callId: call.callId,
        verb: call.verb,
        status: summary.postBodyStatus ?? summary.status,
        args: argsToJson(summary.postBodyArgs ?? summary.args),
        responseBody: bodySummary(summary.body, m),
        durationMs: t - call.startT,
        headers: m?.headers ?? null,
        raw,
      },
      t,
    );
  }

  private endCalls(t: number, kind: ErrorKind, message: string): void {
    for (const call of this.awaiting.splice(0)) {
      const finished: UnstampedEvent = {
        type: 'call-finished',
        mediumId: this.mediumId,
        callId: call.callId,
        verb: call.verb,
        status: null,
        args: [],
        responseBody: null,
        durationMs: t - call.startT,
        error: { kind, message },
      };
      this.out.add(finished, t);
    }
  }

  private countBytes(dir: 'read' | 'written', n: number, t: number): void {
    this.unreported[dir] += n;
    if (t - this.reportedAt[dir] >= BYTES_EVENT_MS) this.flushBytes(dir, t);
  }

  private flushBytes(dir: 'read' | 'written', t: number): void {
    if (this.unreported[dir] === 0) return;
    this.out.add({ type: 'bytes', mediumId: this.mediumId, direction: dir, count: this.unreported[dir] }, t);
    this.unreported[dir] = 0;
    this.reportedAt[dir] = t;
  }
}

function bodySummary(body: { length: number; parts: number } | null, m: Message | null): BodySummary | null {
  if (!body) return null;
  return { length: body.length, parts: Math.max(body.parts, 1), preview: renderBytes(m ? m.bodyHead.subarray(0, m.bodyHeadLength) : new Uint8Array(0)) };
}
