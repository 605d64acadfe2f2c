/**
 * A backend that relays: each client connection gets its own upstream connection (a
 * `brz serve --inet` subprocess, a TCP or SSH connection to another smart server), made
 * when the first call arrives, so a client that never completes a request costs nothing.
 * Requests go up exactly as the client sent them and responses come back exactly as the
 * upstream sent them: the proxy stays byte-for-byte transparent.
 *
 * Invariants: calls are relayed in request order and the upstream answers in that order,
 * so a response decoder over the upstream's bytes (told each call's version and verb)
 * splits them into each call's answer at the response's last byte; the upstream shows as
 * a client medium of the same owner, with its bytes, its set-up (`connection-setup`, from the
 * phases its connector reports) and the calls relayed over it. Each call's time with the
 * upstream (request handed over → answer's last byte) rides on its answer (`timing`); the
 * set-up the first calls waited for is not their time.
 */
import { performance } from 'node:perf_hooks';
import type { MediumKind } from '../../../shared/events';
import { ResponseStreamDecoder } from '../../../shared/protocol';
import { ByteStream } from '../core/byte-stream';
import type { Answer, RelayTiming, ServerCall } from '../core/server-call';
import type { Backend, BackendConnection, ConnectionContext } from './backend';
import type { StreamUpstream } from './stream-upstream';

/** Makes the upstream connection for one client connection (it may attach its streams later). */
export type UpstreamConnector = (ctx: ConnectionContext) => StreamUpstream;

export interface RelayTarget {
  /** How the upstream shows as a client medium. */
  kind: MediumKind;
  peer: string;
}

export class RelayBackend implements Backend {
  constructor(
    readonly description: string,
    private readonly target: RelayTarget,
    private readonly connector: UpstreamConnector,
  ) {}

  open(ctx: ConnectionContext): BackendConnection {
    return new RelayConnection(ctx, this.target, this.connector);
  }

  close(): void {}
}

export class RelayConnection implements BackendConnection {
  readonly input = 'wire' as const;
  private upstream: StreamUpstream | null = null;
  private mediumId = '';
  /** Each relayed call's answer and timing, in order, until its response's last byte has come. */
  private readonly awaiting: { answer: ByteStream; timing: RelayTiming }[] = [];
  private readonly splitter = new ResponseStreamDecoder((ev) => {
    if (ev.type === 'message-end') this.ends.push(ev.offset + ev.length);
  });
  private splitting = true;
  private ends: number[] = [];
  private received = 0;
  /** Where the answer being received began in the upstream's bytes (the last response's end). */
  private answerStart = 0;
  private calls = 0;
  private vfsCalls = 0;
  /** Set once the upstream could not be reached: what the client is told. */
  private unreachable: string | null = null;
  private closed = false;

  constructor(
    private readonly ctx: ConnectionContext,
    private readonly target: RelayTarget,
    private readonly connector: UpstreamConnector,
  ) {}

  handle(call: ServerCall): Answer | Promise<Answer> {
    const upstream = this.upstream ?? this.connect();
    if (this.unreachable !== null) return this.refuse();
    // Not connected yet: calls wait in order (promise callbacks run in the order they were made).
    if (!upstream.connected) {
      const waitFrom = performance.now();
      return upstream.whenReady().then(() => this.relay(call, upstream, performance.now() - waitFrom));
    }
    return this.relay(call, upstream, 0);
  }

  close(): void {
    this.closed = true;
    this.upstream?.close();
  }

  private relay(call: ServerCall, upstream: StreamUpstream, setupWaitMs: number): Answer {
    if (this.unreachable !== null) return this.refuse();
    this.calls += 1;
    if (call.vfs) this.vfsCalls += 1;
    const answer = new ByteStream();
    const timing: RelayTiming = { setupWaitMs, sentAt: null, answeredAt: null };
    this.awaiting.push({ answer, timing });
    this.splitter.expect({ protocol: call.protocol, verb: call.verb });
    call.wire.pipe({ data: (chunk) => upstream.write(chunk), end: () => void (timing.sentAt = performance.now()) });
    return { kind: 'relayed', bytes: answer, via: this.mediumId, timing };
  }

  /** The upstream was never reached: calls get `('error', why)`, which brz shows, then the connection ends. */
  private refuse(): Answer {
    this.ctx.finish(this.unreachable as string);
    return { status: 'E', args: ['error', this.unreachable as string] };
  }

  private connect(): StreamUpstream {
    const { ctx } = this;
    this.mediumId = ctx.ids.take('medium');
    ctx.bus.emit({ type: 'medium-opened', mediumId: this.mediumId, kind: this.target.kind, role: 'client', peer: this.target.peer, ownerId: ctx.ownerId, parentMediumId: ctx.mediumId });
    const upstream = this.connector(ctx);
    this.upstream = upstream;
    upstream.reportBytes(ctx.bus, this.mediumId);
    // Registered before any call waits on it: the set-up is told before the first call goes up.
    void upstream.whenReady().then(() => {
      if (upstream.connected) this.reportSetup(upstream);
    });
    upstream.start(
      (chunk) => this.fromUpstream(chunk),
      (reason) => this.upstreamClosed(upstream, reason),
    );
    return upstream;
  }

  /** Upstream bytes, split at each response's end into the answers they belong to. */
  private fromUpstream(chunk: Buffer): void | Promise<void> {
    const base = this.received;
    this.received += chunk.length;
    this.ends = [];
    if (this.splitting) {
      try {
        this.splitter.feed(chunk);
      } catch (err) {
        // Without a decoder we cannot tell where responses end: the bytes still go to the client.
        this.splitting = false;
        this.ctx.bus.emit({ type: 'error', mediumId: this.mediumId, kind: 'protocol', message: `undecodable response from the upstream: ${err instanceof Error ? err.message : String(err)}`, fatal: false });
      }
    }
    let at = 0;
    let wait: void | Promise<void> = undefined;
    for (const end of this.ends) {
      const awaited = this.awaiting.shift();
      const cut = end - base;
      if (awaited) {
        awaited.timing.answeredAt = performance.now();
        if (cut > at) wait = awaited.answer.push(chunk.subarray(at, cut)) ?? wait;
        awaited.answer.end();
      }
      at = cut;
      this.answerStart = end;
    }
    if (at < chunk.length) {
      const answer = this.awaiting[0]?.answer;
      if (answer) wait = answer.push(at === 0 ? chunk : chunk.subarray(at)) ?? wait;
      else {
        this.ctx.bus.emit({ type: 'error', mediumId: this.mediumId, kind: 'protocol', message: `the upstream sent ${chunk.length - at} bytes no request asked for`, fatal: true });
        this.ctx.closeClient('upstream sent bytes no request asked for');
      }
    }
    return wait;
  }

  /** The upstream's set-up, when its connector reported phases (a subprocess kept ready has none). */
  private reportSetup(upstream: StreamUpstream, reason?: string): void {
    const { setup } = upstream;
    if (setup.phases.length === 0 && reason === undefined) return;
    this.ctx.bus.emit(setup.event({ mediumId: this.mediumId, kind: this.target.kind, target: this.target.peer, ownerId: this.ctx.ownerId }, reason));
  }

  private upstreamClosed(upstream: StreamUpstream, closeReason: string): void {
    if (!upstream.connected) this.reportSetup(upstream, closeReason);
    // An upstream never reached owed nothing yet: its reason is the whole story.
    const reason = upstream.connected ? this.whileAwaiting(closeReason) : closeReason;
    this.ctx.bus.emit({ type: 'medium-closed', mediumId: this.mediumId, reason, calls: this.calls, vfsCalls: this.vfsCalls });
    for (const { answer } of this.awaiting.splice(0)) answer.end(new Error(`upstream closed: ${reason}`));
    if (this.closed) return;
    if (!upstream.connected) {
      this.unreachable = `hpss: cannot reach the upstream: ${reason}`;
      return;
    }
    this.ctx.closeClient(`upstream closed: ${reason}`);
  }

  /** The close reason, saying whether calls were still owed an answer and how far one had come. */
  private whileAwaiting(reason: string): string {
    const owed = this.awaiting.length;
    if (owed === 0) return reason;
    const partial = this.received - this.answerStart;
    if (partial > 0) return `${reason} in the middle of a response (${partial} bytes of it received)`;
    return `${reason} before answering ${owed === 1 ? 'a call' : `${owed} calls`}`;
  }
}
