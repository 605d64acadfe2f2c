/**
 * One call as a server or proxy sees it: the request's head, how it is answered
 * (relayed or here), and the summaries that `call-started` / `call-finished` carry.
 */
import type { BodySummary, ErrorKind, JsonObject, JsonValue, UnstampedEvent, VerbKind } from '../../shared/events';
import type { ProtocolVersion } from '../../shared/protocol';
import { renderBytes, ResponseStreamDecoder } from '../../shared/protocol';
import { HeadersJson, RawCapture } from './wire-capture';

/** Events show at most this many leading body bytes. */
export const BODY_PREVIEW_BYTES = 48;

/** Counts a message's body parts and keeps its first bytes for the preview. */
export class BodyTally {
  length = 0;
  parts = 0;
  private readonly head = new Uint8Array(BODY_PREVIEW_BYTES);
  private headLength = 0;

  part(): void {
    this.parts += 1;
  }

  data(bytes: Uint8Array): void {
    this.length += bytes.length;
    if (this.headLength < BODY_PREVIEW_BYTES) {
      const take = Math.min(bytes.length, BODY_PREVIEW_BYTES - this.headLength);
      this.head.set(bytes.subarray(0, take), this.headLength);
      this.headLength += take;
    }
  }

  /** null when the message had no body at all. */
  summary(render: (bytes: Uint8Array) => string): BodySummary | null {
    if (this.parts === 0 && this.length === 0) return null;
    return { length: this.length, parts: Math.max(this.parts, 1), preview: render(this.head.subarray(0, this.headLength)) };
  }
}

export type CallRoute =
  | { kind: 'relay' }
  /** Answered here; `bytes` go out once every earlier call's response has. */
  | { kind: 'local'; bytes: Uint8Array }
  /** A policy dropped the connection at this request. */
  | { kind: 'dropped' };

export interface CallRecord {
  callId: string;
  protocol: ProtocolVersion;
  verb: string;
  args: JsonValue[];
  verbKind: VerbKind;
  vfs: boolean;
  route: CallRoute;
  /** When the request's first byte arrived (ms, performance clock). */
  startedAt: number;
  requestBody: BodyTally;
  requestEnded: boolean;
  /** The response decoder's view, for relayed calls. */
  responseBody: BodyTally;
  status: 'S' | 'E' | null;
  responseArgs: JsonValue[];
  /** The request's v3 headers and first bytes, as the client sent them. */
  requestHeaders: JsonObject | null;
  requestRaw: RawCapture;
  /** The relayed response's, as the tap decoded them (set at its start); local answers use their bytes. */
  responseHeaders?: JsonObject | null;
  responseRaw?: RawCapture;
}

export function callStartedEvent(mediumId: string, record: CallRecord): UnstampedEvent {
  return {
    type: 'call-started',
    mediumId,
    callId: record.callId,
    protocol: record.protocol,
    verb: record.verb,
    args: record.args,
    verbKind: record.verbKind,
    vfs: record.vfs,
    requestBody: record.requestBody.summary(renderBytes),
    headers: record.requestHeaders,
    raw: record.requestRaw.toJson(),
  };
}

/** `error` when the call ended without a complete response. */
export function callFinishedEvent(mediumId: string, record: CallRecord, error?: { kind: ErrorKind; message: string }): UnstampedEvent {
  const wire = record.route.kind === 'local' && !record.responseRaw ? localAnswerWire(record.protocol, record.route.bytes) : null;
  const raw = wire?.raw ?? record.responseRaw;
  const headers = wire ? wire.headers : record.responseHeaders;
  return {
    type: 'call-finished',
    mediumId,
    callId: record.callId,
    verb: record.verb,
    status: error ? null : record.status,
    args: record.responseArgs,
    responseBody: record.responseBody.summary(renderBytes),
    durationMs: performance.now() - record.startedAt,
    ...(error ? { error } : {}),
    ...(raw ? { headers: headers ?? null, raw: raw.toJson() } : {}),
  };
}

const localHeaders = new HeadersJson();

/** By the answer's bytes: the serve loop hands out the same bytes for a repeated answer (bench/hello.js). */
const localWires = new WeakMap<Uint8Array, { headers: JsonObject | null; raw: RawCapture }>();

/** An answer made here is whole in hand: its headers are the v3 dict right after the marker. */
function localAnswerWire(protocol: ProtocolVersion, bytes: Uint8Array): { headers: JsonObject | null; raw: RawCapture } {
  const known = localWires.get(bytes);
  if (known) return known;
  const raw = new RawCapture();
  raw.add(bytes);
  raw.end(bytes.length);
  const wire = { headers: protocol === 3 ? v3Headers(bytes) : null, raw };
  localWires.set(bytes, wire);
  return wire;
}

function v3Headers(bytes: Uint8Array): JsonObject | null {
  let headers: JsonObject | null = null;
  const decoder = new ResponseStreamDecoder((ev) => {
    if (ev.type === 'headers') headers = localHeaders.of(ev.headers);
  });
  decoder.expect({ protocol: 3, verb: '' });
  try {
    decoder.feed(bytes);
  } catch {
    // Our own encoder made these bytes; if they do not decode, there are no headers to show.
  }
  return headers;
}

/** Bytes fed but not yet routed, as received (no copy unless a chunk is split). */
export class PendingBytes {
  private readonly chunks: Buffer[] = [];

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** Removes and returns the first `count` bytes (there must be that many). */
  take(count: number): Buffer {
    const parts: Buffer[] = [];
    let need = count;
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
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Keeps only the first `count` bytes. */
  truncate(count: number): void {
    const kept = count > 0 ? this.take(count) : null;
    this.chunks.length = 0;
    if (kept) this.chunks.push(kept);
  }
}
