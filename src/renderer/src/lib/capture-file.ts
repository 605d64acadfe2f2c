/**
 * The captures' `.jsonl` (`tests/fixtures/captures/`: a `hpss-capture` header, then one
 * line per chunk `{dir: "c2s"|"s2c", t: seconds, hex}`) as engine events, so a capture
 * opens like a trace: both streams decoded with the shared decoders, each request and its
 * answer one call, on one medium. Bytes are held only as long as the decode needs them.
 */
import type { BodySummary, EngineEvent, JsonObject, RawBytes } from '../../../shared/events';
import { RAW_CAPTURE_BYTES } from '../../../shared/events';
import { argsToJson, ConnectionDecoder, headersToJson, isVfsVerb, renderBytes, verbKind, type DecodeEvent } from '../../../shared/protocol';

const CAPTURE_FORMAT = 'hpss-capture';
const BODY_PREVIEW_BYTES = 48;

export function isCaptureHeader(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === CAPTURE_FORMAT;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** One direction's whole stream (a capture is small: it is a test fixture or a short session). */
class Stream {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private joined = new Uint8Array(0);
  add(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  raw(offset: number, length: number): RawBytes {
    if (this.joined.length !== this.length) {
      this.joined = new Uint8Array(this.length);
      let at = 0;
      for (const c of this.chunks) {
        this.joined.set(c, at);
        at += c.length;
      }
    }
    const all = this.joined;
    const take = Math.min(length, RAW_CAPTURE_BYTES);
    return { base64: toBase64(all.subarray(offset, offset + take)), length, truncated: length > take };
  }
}

/** Converts a capture's text; throws with the line number when a line is not a chunk. */
export function captureToEvents(text: string, name: string, startedAt: number): EngineEvent[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  // Ids of their own (`cap1.…`): never those of a live medium or call.
  const mediumId = 'cap1.m1';
  const events: EngineEvent[] = [];
  let seq = 0;
  let now = startedAt;
  const push = (e: Record<string, unknown>) => events.push({ ...e, seq: ++seq, t: now } as unknown as EngineEvent);
  push({ type: 'medium-opened', mediumId, kind: 'tcp-server', role: 'server', peer: `capture ${name}` });
  const streams = { c2s: new Stream(), s2c: new Stream() };
  const open: { callId: string; verb: string; t: number }[] = [];
  let calls = 0;
  let vfsCalls = 0;
  let bodyHead: Uint8Array[] = [];
  const body = (summary: { length: number; parts: number } | null): BodySummary | null => {
    if (!summary) return null;
    const head = new Uint8Array(bodyHead.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of bodyHead) {
      head.set(b, at);
      at += b.length;
    }
    return { length: summary.length, parts: summary.parts, preview: renderBytes(head.subarray(0, BODY_PREVIEW_BYTES)) };
  };
  const decoder = new ConnectionDecoder((dir, e: DecodeEvent) => {
    if (e.type === 'message-start') bodyHead = [];
    if (e.type === 'body-data' && bodyHead.reduce((n, b) => n + b.length, 0) < BODY_PREVIEW_BYTES) bodyHead.push(e.data.slice(0, BODY_PREVIEW_BYTES));
    if (e.type !== 'message-end') return;
    const s = e.summary;
    const headers = headersToJson(s.headers) as JsonObject | null;
    const raw = streams[dir].raw(e.offset, e.length);
    if (dir === 'c2s') {
      const [verbValue, ...rest] = argsToJson(s.args);
      const verb = typeof verbValue === 'string' ? verbValue : '';
      const vfs = isVfsVerb(verb);
      const callId = `cap1.c${++calls}`;
      if (vfs) vfsCalls++;
      open.push({ callId, verb, t: now });
      push({ type: 'call-started', mediumId, callId, protocol: s.protocol, verb, args: rest, verbKind: verbKind(verb), vfs, requestBody: body(s.body), headers, raw });
    } else {
      const call = open.shift();
      if (!call) return;
      push({ type: 'call-finished', mediumId, callId: call.callId, verb: call.verb, status: s.status ?? null, args: argsToJson(s.args), responseBody: body(s.body), durationMs: now - call.t, headers, raw });
    }
  });
  for (let i = 1; i < lines.length; i++) {
    let chunk: { dir?: unknown; t?: unknown; hex?: unknown };
    try {
      chunk = JSON.parse(lines[i]) as typeof chunk;
    } catch {
      throw new Error(`${name}: line ${i + 1} is not JSON`);
    }
    if ((chunk.dir !== 'c2s' && chunk.dir !== 's2c') || typeof chunk.hex !== 'string') throw new Error(`${name}: line ${i + 1} is not a capture chunk ({dir, t, hex})`);
    if (typeof chunk.t === 'number') now = startedAt + chunk.t * 1000;
    const bytes = hexToBytes(chunk.hex);
    streams[chunk.dir].add(bytes);
    if (chunk.dir === 'c2s') decoder.feedRequestBytes(bytes);
    else decoder.feedResponseBytes(bytes);
  }
  for (const call of open) push({ type: 'call-finished', mediumId, callId: call.callId, verb: call.verb, status: null, args: [], responseBody: null, durationMs: now - call.t, error: { kind: 'transport', message: 'the capture ends before the response' } });
  push({ type: 'medium-closed', mediumId, reason: 'end of capture', calls, vfsCalls });
  return events;
}
