/**
 * The serve loop of one server medium: decodes each request as its bytes arrive
 * (version detected per request; bytes of the next request stay with the decoder),
 * asks the policies what to do once the verb is known, then relays the request's bytes
 * unchanged to the upstream or answers it here. Upstream bytes go back to the client
 * unchanged, through a response decoder used as a tap that closes each call.
 *
 * Invariants: bytes are routed in stream order, and a request's bytes are held only
 * until its verb is known (bounded by the decoder's structure limit); responses reach
 * the client in request order, local answers waiting for earlier relayed responses;
 * either side closing closes the other.
 */
import type { PolicySettings } from '../../shared/api';
import type { ErrorKind, JsonObject, MediumKind } from '../../shared/events';
import type { BValue, DecodeEvent, ProtocolVersion } from '../../shared/protocol';
import { argsToJson, encodeResponse, isVfsVerb, renderBytes, RequestStreamDecoder, verbKind, verbOf } from '../../shared/protocol';
import type { EventBus, IdSource } from '../engine/event-bus';
import type { LocalAnswer } from '../server/policies/answers';
import { retryClass, type Decided, type PolicyAction, type RequestDecision, type RequestHead } from '../server/policies/decide';
import { Pacer, sleep } from '../server/policies/pacing';
import { BodyTally, callFinishedEvent, callStartedEvent, PendingBytes, type CallRecord } from './server-call-record';
import { AnswerEncoder } from './server-answer-encoder';
import { ResponseRelay } from './server-response-relay';
import { asError, type ChunkConsumer, type ServerMedium } from './server-medium';
import { HeadersJson, RawStreamTap, type RawCapture } from './wire-capture';

/** Where relayed requests go: one upstream connection per client connection. */
export interface Upstream {
  /** Sends request bytes; a promise means the upstream applies backpressure. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Delivers response bytes to `consumer` (paused while it works) and reports the close once. */
  start(consumer: ChunkConsumer, onClose: (reason: string) => void): void;
  close(): void;
  /** Whether the connection was ever made (false: the upstream could not be reached at all). */
  readonly connected: boolean;
  /** Names the client medium it shows as, so it reports its reads and writes as `bytes` events. */
  reportBytes?(bus: EventBus, mediumId: string): void;
}

export interface RequestGate {
  policy(): PolicySettings;
  decide(policy: PolicySettings, head: RequestHead): Decided;
  /** Answers what is not relayed for want of an upstream (a handler-only server). */
  answer(head: RequestHead): LocalAnswer;
}

export interface ServeLoopOptions {
  medium: ServerMedium;
  upstream: Upstream | null;
  /** How the upstream shows in events: a client medium of the same owner. */
  upstreamMedium?: { kind: MediumKind; peer: string } | null;
  gate: RequestGate;
  bus: EventBus;
  ids: IdSource;
}

interface PendingRequest {
  start: number;
  /** performance.now() at the request's first byte. */
  startedAt: number;
  end: number | null;
  protocol: ProtocolVersion;
  decision: RequestDecision | null;
  record: CallRecord | null;
  delayed: boolean;
  /** Its v3 headers and first bytes, for the call's detail. */
  headers: JsonObject | null;
  raw: RawCapture;
}

export class ServeLoop {
  private readonly medium: ServerMedium;
  private readonly upstream: Upstream | null;
  private readonly gate: RequestGate;
  private readonly bus: EventBus;
  private readonly ids: IdSource;
  private readonly requests: RequestStreamDecoder;
  private readonly relay: ResponseRelay;
  private readonly answers = new AnswerEncoder();
  private fed = 0;
  private routed = 0;
  private readonly pending = new PendingBytes();
  private readonly inFlight: PendingRequest[] = [];
  /** Calls not yet answered to the client, in request order. */
  private readonly outstanding: CallRecord[] = [];
  private callsDone = 0;
  private bytesToClient = 0;
  private stopping = false;
  /** After a malformed request: the error answer to send once earlier calls are answered, then close. */
  private farewell: { bytes: Uint8Array; reason: string } | null = null;
  /** Set when the upstream could not be reached: why, as told to the client. */
  private unreachable: string | null = null;
  private readonly pacerIn = new Pacer();
  private readonly pacerOut = new Pacer();
  private readonly upstreamMedium: { kind: MediumKind; peer: string } | null;
  private relayedCalls = 0;
  private relayedVfsCalls = 0;
  private readonly rawTap = new RawStreamTap();
  private readonly headersJson = new HeadersJson();

  constructor(opts: ServeLoopOptions) {
    this.medium = opts.medium;
    this.upstream = opts.upstream;
    this.gate = opts.gate;
    this.bus = opts.bus;
    this.ids = opts.ids;
    this.upstreamMedium = opts.upstreamMedium ?? null;
    this.requests = new RequestStreamDecoder((ev) => this.onRequestEvent(ev));
    this.relay = new ResponseRelay({
      policy: () => this.gate.policy(),
      send: (bytes) => this.sendToClient(bytes),
      complete: (record) => this.completeCall(record),
      report: (actions) => this.reportActions(actions),
      close: (reason) => this.medium.close(reason),
      isClosed: () => this.medium.isClosed,
      tapFailed: (message) => this.bus.emit({ type: 'error', mediumId: this.medium.id, kind: 'protocol', message, fatal: false }),
    });
  }

  start(): void {
    this.medium.on('close', (reason) => this.onMediumClosed(reason));
    this.medium.on('input-end', () => this.onInputEnd());
    if (this.upstream) this.startUpstream(this.upstream);
    this.medium.start((chunk) => this.onClientChunk(chunk));
  }

  /** Either side closing closes the other; the upstream shows as a client medium of the same owner. */
  private startUpstream(upstream: Upstream): void {
    const info = this.upstreamMedium;
    const mediumId = info ? this.ids.take('m') : null;
    if (info && mediumId) {
      this.bus.emit({ type: 'medium-opened', mediumId, kind: info.kind, role: 'client', peer: info.peer, ownerId: this.medium.ownerId });
      upstream.reportBytes?.(this.bus, mediumId);
    }
    upstream.start(
      (chunk) => this.relay.onChunk(chunk),
      (reason) => {
        if (mediumId) this.bus.emit({ type: 'medium-closed', mediumId, reason, calls: this.relayedCalls, vfsCalls: this.relayedVfsCalls });
        if (upstream.connected || this.medium.isClosed) this.medium.close(`upstream closed: ${reason}`);
        else this.upstreamUnreachable(reason);
      },
    );
  }

  /**
   * The upstream was never reached: rather than a bare close, the client's calls are
   * answered with `('error', why)`, which brz shows; then the connection closes.
   */
  private upstreamUnreachable(reason: string): void {
    this.unreachable = `hpss: cannot reach the upstream: ${reason}`;
    for (const record of this.outstanding) {
      if (record.route.kind !== 'relay') continue;
      const answer: LocalAnswer = { protocol: record.protocol, status: 'E', args: ['error', this.unreachable] };
      record.route = { kind: 'local', bytes: this.encodeAnswer(answer, this.gate.policy()) };
      record.status = 'E';
      record.responseArgs = answer.args;
    }
    // Before any request, wait for the first one (the idle timeout still applies).
    if (this.outstanding.length > 0 || !this.isIdle()) this.stopping = true;
    this.flushLocalAnswers();
    this.closeIfStopping();
  }

  /** Graceful stop: finish the call in progress (if any), then close. */
  stop(): void {
    this.stopping = true;
    this.closeIfStopping();
  }

  // ---- client → server ------------------------------------------------------

  private onClientChunk(chunk: Buffer): void | Promise<void> {
    if (this.farewell) return;
    if (this.stopping && this.isIdle()) {
      this.medium.close('server stopped');
      return;
    }
    this.medium.setWaitingForRequest(false);
    this.pending.push(chunk);
    this.rawTap.chunk(chunk, this.fed);
    this.fed += chunk.length;
    try {
      this.requests.feed(chunk);
    } catch (err) {
      return this.malformedRequest(asError(err));
    }
    return this.routeRequests();
  }

  private onRequestEvent(ev: DecodeEvent): void {
    const current = this.inFlight[this.inFlight.length - 1];
    switch (ev.type) {
      case 'message-start':
        this.inFlight.push({ start: ev.offset, startedAt: performance.now(), end: null, protocol: ev.protocol, decision: null, record: null, delayed: false, headers: null, raw: this.rawTap.start(ev.offset) });
        return;
      case 'headers':
        current.headers = this.headersJson.of(ev.headers);
        return;
      case 'args':
        this.decide(current, ev.args);
        return;
      case 'body-part-start':
        current.record?.requestBody.part();
        return;
      case 'body-data':
        current.record?.requestBody.data(ev.data);
        return;
      case 'message-end':
        current.end = ev.offset + ev.length;
        this.rawTap.end(current.end);
        // A dropped request is reported when it is dropped, maybe before its end.
        if (current.record && current.decision?.kind !== 'drop') this.callStarted(current.record);
        return;
      default:
        return;
    }
  }

  private decide(request: PendingRequest, args: readonly BValue[]): void {
    const verb = verbOf(args);
    const head: RequestHead = { protocol: request.protocol, verb, args: args.slice(1).map((a) => (a instanceof Uint8Array ? renderBytes(a) : String(a))) };
    const policy = this.gate.policy();
    const { decision, actions } = this.gate.decide(policy, head);
    this.reportActions(actions);
    request.decision = decision;
    let local = decision.kind === 'answer' ? decision.answer : decision.kind === 'relay' && !this.upstream ? this.gate.answer(head) : null;
    if (this.unreachable && decision.kind === 'relay') {
      local = { protocol: request.protocol, status: 'E', args: ['error', this.unreachable] };
      this.stopping = true;
    }
    const record: CallRecord = {
      callId: this.ids.take('c'),
      protocol: request.protocol,
      verb,
      args: argsToJson(args.slice(1)),
      verbKind: verbKind(verb),
      vfs: isVfsVerb(verb),
      route: local ? { kind: 'local', bytes: this.encodeAnswer(local, policy) } : decision.kind === 'drop' ? { kind: 'dropped' } : { kind: 'relay' },
      startedAt: request.startedAt,
      requestBody: new BodyTally(),
      requestEnded: false,
      responseBody: new BodyTally(),
      status: local ? local.status : null,
      responseArgs: local ? local.args : [],
      requestHeaders: request.headers,
      requestRaw: request.raw,
    };
    if (local) request.decision = { kind: 'answer', answer: local };
    request.record = record;
    this.outstanding.push(record);
    if (record.route.kind === 'relay') {
      this.relayedCalls += 1;
      if (record.vfs) this.relayedVfsCalls += 1;
      this.relay.expect(record);
    }
  }

  private encodeAnswer(answer: LocalAnswer, policy: PolicySettings): Uint8Array {
    return this.answers.encode(answer, policy.emulate.softwareVersion);
  }

  /** Routes fed bytes, request by request, once each request's fate is known. */
  private routeRequests(): void | Promise<void> {
    while (this.inFlight.length > 0) {
      const request = this.inFlight[0];
      const decision = request.decision;
      if (!decision) break;
      if (decision.kind === 'drop') {
        // The client made this call (brz counts it): it shows, ended by the policy.
        const record = request.record as CallRecord;
        const reason = `policy dropped the connection at ${record.verb}`;
        this.callStarted(record);
        this.completeCall(record, { kind: 'policy', message: reason });
        this.medium.close(reason);
        return;
      }
      const limit = request.end ?? this.fed;
      if (this.routed < limit) {
        if (decision.kind === 'relay' && decision.delayMs > 0 && !request.delayed) {
          request.delayed = true;
          return sleep(decision.delayMs).then(() => this.routeRequests());
        }
        const bytes = this.pending.take(limit - this.routed);
        this.routed = limit;
        if (decision.kind === 'relay' && this.upstream) {
          const wait = this.relayToUpstream(bytes);
          if (wait) return wait.then(() => this.routeRequests());
        }
      }
      if (request.end === null) break;
      this.inFlight.shift();
      if (request.record) request.record.requestEnded = true;
      this.flushLocalAnswers();
    }
    this.updateIdle();
  }

  private relayToUpstream(bytes: Uint8Array): void | Promise<void> {
    const wait = (this.upstream as Upstream).write(bytes);
    const paceMs = this.pacerIn.delayAfter(bytes.length, this.gate.policy().bandwidthBytesPerSec);
    if (paceMs >= 1) return Promise.resolve(wait).then(() => sleep(paceMs));
    return wait;
  }

  /**
   * Breezy answers a request it cannot decode with an `error` response in its version, then
   * gives up on the connection. Requests before it are still answered first, in order.
   */
  private malformedRequest(err: Error): void | Promise<void> {
    const last = this.inFlight[this.inFlight.length - 1];
    const broken = last && last.end === null ? last : null;
    const reason = `malformed request: ${err.message}`;
    this.bus.emit({ type: 'error', mediumId: this.medium.id, kind: 'protocol', message: reason, fatal: true });
    const enc = new TextEncoder();
    const bytes = encodeResponse({ protocol: broken?.protocol ?? 1, status: 'E', args: [enc.encode('error'), enc.encode(err.message)] });
    this.farewell = { bytes, reason };
    this.stopping = true;
    // Drop the broken request and every byte from it on; what came before is routed as usual.
    const cutAt = Math.max(this.routed, broken ? broken.start : (last?.end ?? this.routed));
    if (broken) {
      this.inFlight.pop();
      if (broken.record) this.completeCall(broken.record, { kind: 'protocol', message: reason });
    }
    this.pending.truncate(cutAt - this.routed);
    this.fed = cutAt;
    const wait = this.routeRequests();
    if (wait) return wait.then(() => this.closeIfStopping());
    this.closeIfStopping();
  }

  // ---- server → client ------------------------------------------------------

  /** Writes to the client under the byte-count and bandwidth policies. */
  private sendToClient(bytes: Uint8Array): void | Promise<void> {
    const policy = this.gate.policy();
    let out = bytes;
    let dropAfter = false;
    if (policy.dropAfterBytes > 0 && this.bytesToClient + out.length >= policy.dropAfterBytes) {
      out = out.subarray(0, policy.dropAfterBytes - this.bytesToClient);
      dropAfter = true;
    }
    this.bytesToClient += out.length;
    const wait = this.medium.write(Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.length));
    if (dropAfter) {
      this.reportActions([{ policy: 'drop-after-bytes', action: `dropped the connection after ${policy.dropAfterBytes} bytes`, verb: this.outstanding[0]?.verb ?? '', retryClass: retryClass(this.outstanding[0]?.verb ?? '') }]);
      this.medium.close(`policy dropped the connection after ${policy.dropAfterBytes} bytes`);
      return;
    }
    const paceMs = this.pacerOut.delayAfter(out.length, policy.bandwidthBytesPerSec);
    if (paceMs >= 1) return Promise.resolve(wait).then(() => sleep(paceMs));
    return wait;
  }

  /** Answers local calls that have reached the head of the queue. */
  private flushLocalAnswers(): void {
    while (this.outstanding.length > 0 && !this.medium.isClosed) {
      const head = this.outstanding[0];
      if (head.route.kind !== 'local' || !head.requestEnded) break;
      void this.sendToClient(head.route.bytes);
      this.completeCall(head);
    }
  }

  private callStarted(record: CallRecord): void {
    this.medium.calls += 1;
    if (record.vfs) this.medium.vfsCalls += 1;
    this.bus.emit(callStartedEvent(this.medium.id, record));
  }

  private completeCall(record: CallRecord, error?: { kind: ErrorKind; message: string }): void {
    const index = this.outstanding.indexOf(record);
    if (index === -1) return;
    this.outstanding.splice(index, 1);
    this.bus.emit(callFinishedEvent(this.medium.id, record, error));
    if (error) return;
    this.callsDone += 1;
    const limit = this.gate.policy().dropAfterCalls;
    if (limit > 0 && this.callsDone >= limit) {
      this.reportActions([{ policy: 'drop-after-calls', action: `dropped the connection after call ${this.callsDone}`, verb: record.verb, retryClass: retryClass(record.verb) }]);
      this.medium.close(`policy dropped the connection after ${this.callsDone} calls`);
      return;
    }
    this.flushLocalAnswers();
    this.updateIdle();
    this.closeIfStopping();
  }

  // ---- lifecycle ---------------------------------------------------------------

  private isIdle(): boolean {
    return this.inFlight.length === 0 && this.outstanding.length === 0 && this.routed === this.fed;
  }

  private updateIdle(): void {
    this.medium.setWaitingForRequest(this.isIdle());
  }

  /** The client sent all it will: finish the calls it completed, unless one is cut short. */
  private onInputEnd(): void {
    // Cut short: a request begun but not ended, or bytes that never became a request.
    const partial = this.inFlight.some((r) => r.end === null) || (this.inFlight.length === 0 && this.routed < this.fed);
    if (partial || this.isIdle()) this.medium.close('client closed the connection');
    else {
      this.stopping = true;
      this.closeIfStopping();
    }
  }

  private closeIfStopping(): void {
    if (!this.stopping || !this.isIdle()) return;
    if (this.farewell) {
      void this.sendToClient(this.farewell.bytes);
      this.medium.close(this.farewell.reason);
    } else this.medium.close(this.unreachable ?? (this.medium.inputHasEnded ? 'client closed the connection' : 'server stopped'));
  }

  private onMediumClosed(reason: string): void {
    this.upstream?.close();
    for (const record of [...this.outstanding]) this.completeCall(record, { kind: 'transport', message: `connection closed: ${reason}` });
  }

  private reportActions(actions: PolicyAction[]): void {
    for (const a of actions) {
      this.bus.emit({ type: 'policy-action', mediumId: this.medium.id, ownerId: this.medium.ownerId, policy: a.policy, action: a.action, verb: a.verb, retryClass: a.retryClass });
    }
  }
}
