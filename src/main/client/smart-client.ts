/**
 * A smart client over any client medium (Breezy's `_SmartClient` and `_SmartClientRequest`):
 * calls with args, a body, a readv range list or a streamed body; whole or streamed responses.
 *
 * Protocol negotiation as brz does it: while the medium's version is unknown, speak v3; when
 * the reply does not start with the v3 marker, disconnect, reconnect and retry with v2 (after
 * `_remember_remote_is_before((1, 6))`), then v1 as a last resort; the version that answered
 * (success or error) is remembered on the medium. A connection reset while sending is retried
 * once; while reading, only for verbs that are safe to send twice (kind read, idem or semi).
 *
 * Invariants: one call at a time per client (a streamed body must be drained before the next
 * call); call hooks run once per call, before any byte is sent, and may refuse it by throwing;
 * every call that passed the hooks is counted on the medium and ends with `call-finished`.
 */
import { performance } from 'node:perf_hooks';
import type { BodySummary } from '../../shared/events';
import {
  HpssError, argsToBoundedJson, encodeRequest, isVfsVerb, renderBytes, utf8Bytes, verbInfo, verbKind, type BValue,
  type MessageSummary, type ProtocolVersion,
} from '../../shared/protocol';
import type { EventBus, IdSource } from '../bus/event-bus';
import type { ClientMedium } from '../medium/client-medium';
import type { CallArg, CallRequest, CallResponse, ReadvRange, ResponseHead, StreamedResponse } from './call-types';
import type { ClientHooks } from './client-hooks';
import { ResponseReader } from './response-reader';
import { V3RequestEncoder } from './v3-request-encoder';
import { ClientWire } from './client-wire';
import { RawCapture } from '../medium/wire-capture';

const NEGOTIATION_ORDER: readonly ProtocolVersion[] = [3, 2, 1];
const PREVIEW_BYTES = 48;

export interface SmartClientOptions {
  bus: EventBus;
  ids: IdSource;
  hooks?: ClientHooks;
  /** v3 request headers; default Breezy's `{"Software version": …}`. */
  headers?: Map<string, BValue>;
}

/** Breezy's readv request body: `start,length` lines joined by `\n`, no trailing newline. */
export function encodeReadvBody(ranges: readonly ReadvRange[]): Uint8Array {
  return utf8Bytes(ranges.map(([start, length]) => `${start},${length}`).join('\n'));
}

function toBValue(arg: CallArg): BValue {
  return typeof arg === 'string' ? utf8Bytes(arg) : arg;
}

export class SmartClient {
  private reader: ResponseReader | null = null;
  private busy = false;
  /** The version the negotiating call tried last (what a failed first call went out in). */
  private lastTried: ProtocolVersion | null = null;
  private readonly bus: EventBus;
  private readonly ids: IdSource;
  private readonly hooks: ClientHooks | undefined;
  private readonly v3: V3RequestEncoder;
  private readonly wire: ClientWire;

  constructor(
    readonly medium: ClientMedium,
    opts: SmartClientOptions,
  ) {
    this.bus = opts.bus;
    this.ids = opts.ids;
    this.hooks = opts.hooks;
    this.v3 = new V3RequestEncoder(opts.headers);
    this.wire = new ClientWire(opts.headers);
  }

  call(verb: string, ...args: CallArg[]): Promise<CallResponse> {
    return this.request({ verb, args });
  }

  callWithBody(verb: string, args: readonly CallArg[], body: Uint8Array): Promise<CallResponse> {
    return this.request({ verb, args, body });
  }

  callWithBodyReadv(verb: string, args: readonly CallArg[], ranges: readonly ReadvRange[]): Promise<CallResponse> {
    return this.request({ verb, args, readv: ranges });
  }

  callWithBodyStream(verb: string, args: readonly CallArg[], chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<CallResponse> {
    return this.request({ verb, args, bodyStream: chunks });
  }

  /** One call, the response read whole. */
  async request(req: CallRequest): Promise<CallResponse> {
    const call = await this.begin(req);
    while ((await call.nextChunk()) !== null);
    const end = call.end!;
    const head = call.head;
    return {
      callId: head.callId,
      protocol: head.protocol,
      status: head.status,
      args: head.args,
      headers: head.headers,
      body: end.summary.body ? Buffer.concat(call.chunks) : null,
      bodyParts: call.chunks,
      postBodyError: end.postBodyError,
      summary: end.summary,
      durationMs: end.durationMs,
    };
  }

  /** One call; resolves once the response's status and args are in, the body streams after. */
  async requestStreamed(req: CallRequest): Promise<StreamedResponse> {
    const call = await this.begin(req);
    let settle!: (v: CallEnd) => void;
    let fail!: (err: unknown) => void;
    const done = new Promise<CallEnd>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    done.catch(() => undefined);
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        for (let chunk = await call.nextChunk(); chunk !== null; chunk = await call.nextChunk()) yield chunk;
        settle(call.end!);
      } catch (err) {
        fail(err);
        throw err;
      }
    }
    return { ...call.head, body: body(), done };
  }

  /** Runs the hooks, sends the request and reads the response head. */
  private async begin(req: CallRequest): Promise<CallInFlight> {
    const args = req.args.map(toBValue);
    this.runCallHooks(req, args);
    if (this.busy) {
      throw new HpssError('transport', 'too-many-concurrent-requests', `The medium '${this.medium.describe()}' has reached its concurrent request limit. Be sure to finish_writing and finish_reading on the currently open request.`);
    }
    this.busy = true;
    const medium = this.medium;
    medium.calls++;
    const vfs = isVfsVerb(req.verb);
    if (vfs) medium.vfsCalls++;
    const callId = this.ids.take('call');
    const requestBody = req.body ?? (req.readv ? encodeReadvBody(req.readv) : undefined);
    let reported = false;
    const report = (protocol: ProtocolVersion): void => {
      if (reported) return;
      reported = true;
      this.bus.emit({
        type: 'call-started',
        mediumId: medium.id,
        callId,
        protocol,
        verb: req.verb,
        args: argsToBoundedJson(args),
        verbKind: verbKind(req.verb),
        vfs,
        requestBody: requestBody ? summarize([requestBody]) : null,
      });
    };
    // Once the medium knows its version the call shows at once; the call that negotiates it
    // shows when the version is settled, so it names the version that carried it.
    if (medium.protocolVersion !== null) report(medium.protocolVersion);
    const call = new CallInFlight(this.bus, medium, callId, req.verb, () => (this.busy = false), this.wire);
    try {
      const wire: WireRequest = { verb: req.verb, args, body: requestBody, bodyStream: req.bodyStream, raw: call.requestRaw, sent: () => call.requestSent() };
      const { head, reader } = await this.sendAndReadHead(wire, callId);
      report(head.protocol);
      call.started(head, reader);
    } catch (err) {
      report(medium.protocolVersion ?? this.lastTried ?? NEGOTIATION_ORDER[0]);
      call.finish(null, asHpssError(err));
      throw err;
    }
    return call;
  }

  private runCallHooks(req: CallRequest, args: BValue[]): void {
    if (!this.hooks || this.hooks.call.length === 0) return;
    const params = { method: req.verb, args, body: req.body ?? null, readvBody: req.readv ?? null, medium: this.medium };
    for (const hook of this.hooks.call) hook(params);
  }

  private async sendAndReadHead(req: WireRequest, callId: string): Promise<{ head: ResponseHead; reader: ResponseReader }> {
    const medium = this.medium;
    if (medium.protocolVersion !== null) return this.callWithRetry(medium.protocolVersion, req, callId, false);
    // The version is unknown: a streamed body must be replayable for a retry in another version.
    if (req.bodyStream) req = { ...req, bodyStream: await collect(req.bodyStream) };
    let lastErr: HpssError | null = null;
    for (const version of NEGOTIATION_ORDER) {
      this.lastTried = version;
      // If v3 doesn't work, the remote side is older than 1.6 (Breezy's bookkeeping).
      if (version === 2) medium.rememberRemoteIsBefore([1, 6]);
      try {
        const answered = await this.callWithRetry(version, req, callId, true);
        medium.protocolVersion = version;
        return answered;
      } catch (err) {
        if (!(err instanceof HpssError) || err.code !== 'unexpected-version-marker') throw err;
        this.bus.emit({
          type: 'error',
          mediumId: medium.id,
          kind: 'protocol',
          message: `Server does not understand Bazaar network protocol ${version}, reconnecting.  (Upgrade the server to avoid this.)`,
          fatal: false,
        });
        medium.disconnect();
        lastErr = err;
      }
    }
    throw new HpssError('protocol', 'not-a-bzr-server', `Server is not a Bazaar server: ${lastErr?.message ?? 'no answer'}`);
  }

  private async callWithRetry(version: ProtocolVersion, req: WireRequest, callId: string, negotiating: boolean): Promise<{ head: ResponseHead; reader: ResponseReader }> {
    let reader: ResponseReader;
    try {
      reader = await this.send(version, req, negotiating);
    } catch (err) {
      // The server cannot have seen the request: one more try, unless a body stream was used up.
      if (!isReset(err) || (req.bodyStream && !Array.isArray(req.bodyStream))) throw err;
      this.medium.reset();
      this.warn(`ConnectionReset calling '${req.verb}', retrying`);
      reader = await this.send(version, req, negotiating);
    }
    try {
      return { head: await this.readHead(reader, version, callId), reader };
    } catch (err) {
      if (!isReset(err) || !safeToSendTwice(req)) throw err;
      this.medium.reset();
      this.warn(`ConnectionReset reading response for '${req.verb}', retrying`);
      reader = await this.send(version, req, negotiating);
      return { head: await this.readHead(reader, version, callId), reader };
    }
  }

  /** Breezy's retry warnings, as non-fatal transport errors of the medium. */
  private warn(message: string): void {
    this.bus.emit({ type: 'error', mediumId: this.medium.id, kind: 'transport', message, fatal: false });
  }

  private async readHead(reader: ResponseReader, version: ProtocolVersion, callId: string): Promise<ResponseHead> {
    const item = await reader.next();
    if (item.type !== 'head') throw new HpssError('protocol', 'unexpected-response', 'a response without status and args');
    return { callId, protocol: version, status: item.status, args: item.args, headers: item.headers };
  }

  private async send(version: ProtocolVersion, req: WireRequest, negotiating: boolean): Promise<ResponseReader> {
    const medium = this.medium;
    if (!medium.isConnected) await medium.connect();
    if (!this.reader || this.reader.connection !== medium.connectionCount) this.reader = new ResponseReader(medium);
    const reader = this.reader;
    reader.expect(version, req.verb, negotiating);
    req.raw.reset();
    if (version !== 3) {
      if (req.bodyStream) throw new HpssError('protocol', 'unsupported', `protocol v${version} cannot stream a request body`, { fatal: false });
      await this.sendBytes(req, encodeRequest({ protocol: version, args: [utf8Bytes(req.verb), ...req.args], body: req.body }));
    } else if (!req.bodyStream) {
      await this.sendBytes(req, this.v3.request(req.verb, req.args, req.body));
    } else {
      await this.sendBytes(req, this.v3.head(req.verb, req.args));
      for await (const chunk of req.bodyStream) await this.sendBytes(req, this.v3.bodyPart(chunk));
      await this.sendBytes(req, this.v3.end());
    }
    req.sent();
    return reader;
  }

  /** Writes request bytes, keeping the first for the call's detail. */
  private sendBytes(req: WireRequest, bytes: Uint8Array): Promise<void> {
    req.raw.add(bytes);
    return this.medium.write(bytes);
  }
}

interface CallEnd {
  postBodyError: BValue[] | null;
  summary: MessageSummary;
  durationMs: number;
}

/** One call between its head and its last body byte; reports `call-finished` once. */
class CallInFlight {
  head!: ResponseHead;
  readonly chunks: Uint8Array[] = [];
  end: CallEnd | null = null;
  private reader!: ResponseReader;
  private readonly t0 = performance.now();
  /** The medium's set-up time so far: set-ups made during the call are not its time. */
  private readonly setupBefore: number;
  /** When the request's last byte was written (the last send: a retry sends it again). */
  private sentAt: number | null = null;
  /** The request as last sent (a retry or a fallback version sends it again). */
  readonly requestRaw = new RawCapture();
  private finished = false;

  constructor(
    private readonly bus: EventBus,
    private readonly medium: ClientMedium,
    private readonly callId: string,
    private readonly verb: string,
    private readonly release: () => void,
    private readonly wire: ClientWire,
  ) {
    this.setupBefore = medium.setupMs;
  }

  requestSent(): void {
    this.sentAt = performance.now();
  }

  /** The call's time so far, less the connection set-ups it waited for (their own event). */
  private durationMs(now: number): number {
    return now - this.t0 - (this.medium.setupMs - this.setupBefore);
  }

  started(head: ResponseHead, reader: ResponseReader): void {
    this.head = head;
    this.reader = reader;
  }

  /** The next body chunk, or null once the response has ended. */
  async nextChunk(): Promise<Uint8Array | null> {
    if (this.end) return null;
    try {
      const item = await this.reader.next();
      if (item.type === 'body') {
        this.chunks.push(item.data);
        return item.data;
      }
      if (item.type === 'head') throw new HpssError('protocol', 'unexpected-response', 'a second response head inside one response');
      this.end = { postBodyError: item.postBodyError, summary: item.summary, durationMs: this.durationMs(performance.now()) };
      this.finish(item.summary.body ? this.chunks : null);
      return null;
    } catch (err) {
      this.finish(this.chunks, asHpssError(err));
      throw err;
    }
  }

  finish(body: Uint8Array[] | null, error?: HpssError): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    if (error?.fatal) this.medium.reset();
    const head = this.head as ResponseHead | undefined;
    const now = performance.now();
    this.bus.emit({
      type: 'call-finished',
      mediumId: this.medium.id,
      callId: this.callId,
      verb: this.verb,
      status: head?.status ?? null,
      args: head ? argsToBoundedJson(head.args) : [],
      responseBody: body ? summarize(body) : null,
      durationMs: this.durationMs(now),
      ...(this.sentAt !== null ? { peerMs: now - this.sentAt } : {}),
      ...(error ? { error: { kind: error.kind, message: error.message } } : {}),
      ...this.wire.finished(head?.protocol ?? this.medium.protocolVersion ?? 3, this.requestRaw, head?.headers, (this.reader as ResponseReader | undefined)?.responseRaw),
    });
  }
}

interface WireRequest {
  verb: string;
  args: BValue[];
  body?: Uint8Array;
  bodyStream?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Where the bytes sent are captured. */
  raw: RawCapture;
  /** Told when the request's last byte has been written. */
  sent: () => void;
}

async function collect(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

function isReset(err: unknown): boolean {
  return err instanceof HpssError && err.code === 'connection-reset';
}

/** Breezy's `_is_safe_to_send_twice`: no body stream, and a verb of kind read, idem or semi. */
function safeToSendTwice(req: WireRequest): boolean {
  if (req.bodyStream) return false;
  const kind = verbInfo(req.verb)?.kind;
  return kind === 'read' || kind === 'idem' || kind === 'semi';
}

function asHpssError(err: unknown): HpssError {
  return err instanceof HpssError ? err : new HpssError('protocol', 'internal', err instanceof Error ? err.message : String(err));
}

function summarize(parts: Uint8Array[]): BodySummary {
  let length = 0;
  for (const p of parts) length += p.length;
  const head = Buffer.concat(parts.slice(0, 4)).subarray(0, PREVIEW_BYTES);
  return { length, parts: parts.length, preview: renderBytes(head) };
}
