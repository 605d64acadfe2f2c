/**
 * An upstream over a readable/writable pair (a socket, a subprocess's pipes, an SSH
 * channel): request bytes out, response bytes in, with backpressure both ways and one
 * close report. The pair may be attached later (a connection still being made): request
 * bytes written before then wait in order, and the writer waits with them.
 */
import type { Readable, Writable } from 'node:stream';
import { ByteReporter, type EventBus } from '../../bus/event-bus';
import { ConnectionSetup } from '../../medium/connection-setup';

export interface UpstreamStreams {
  input: Readable;
  output: Writable;
  /** Tears the connection down (destroy a socket, end a subprocess). */
  teardown: () => void;
  /**
   * The owner reports the close with more to say (a subprocess's exit status, which comes
   * just after its stdout ends): the end of input waits for that report, at most
   * OWNER_REPORT_GRACE_MS, so a killed process is not reported as a mere end of stream.
   */
  ownerReportsClose?: boolean;
}

const OWNER_REPORT_GRACE_MS = 1000;

/** Receives chunks one at a time; a promise pauses the input until it settles. */
export type ChunkConsumer = (chunk: Buffer) => void | Promise<void>;

export class StreamUpstream {
  private streams: UpstreamStreams | null = null;
  connected = false;
  private readonly queued: Uint8Array[] = [];
  private consumer: ChunkConsumer | null = null;
  private onClose: ((reason: string) => void) | null = null;
  private closedReason: string | null = null;
  private endTimer: NodeJS.Timeout | null = null;
  private readonly closing = new AbortController();
  /** Resolved once the pair is attached or the upstream closed: writers wait on it (backpressure). */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  /** Reports its `bytes` events, once the relay has named its client medium. */
  private bytes: ByteReporter | null = null;
  /** Its connection's set-up: connectors that make one report its phases to `setup.onStep`. */
  readonly setup = new ConnectionSetup();

  constructor(streams?: UpstreamStreams) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    if (streams) this.attach(streams);
  }

  /** Connects the pair; queued request bytes go out first. */
  attach(streams: UpstreamStreams): void {
    if (this.closedReason !== null) {
      streams.teardown();
      return;
    }
    this.streams = streams;
    this.connected = true;
    this.setup.end();
    this.markReady();
    streams.output.on('error', (err) => this.closed(err.message));
    streams.input.on('error', (err) => this.closed(err.message));
    streams.input.on('end', () => {
      if (!streams.ownerReportsClose) return this.closed('end of stream');
      this.endTimer ??= setTimeout(() => this.closed('end of stream'), OWNER_REPORT_GRACE_MS);
    });
    for (const chunk of this.queued.splice(0)) {
      this.counted('written', chunk.length);
      streams.output.write(chunk);
    }
    this.wireInput();
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.closedReason !== null) return;
    const streams = this.streams;
    if (!streams) {
      this.queued.push(Buffer.from(chunk));
      return this.ready;
    }
    this.counted('written', chunk.length);
    if (streams.output.write(chunk)) return;
    return new Promise((resolve) => {
      const done = (): void => {
        streams.output.off('drain', done);
        streams.output.off('close', done);
        resolve();
      };
      streams.output.on('drain', done);
      streams.output.on('close', done);
    });
  }

  /** Aborted once the upstream closed: whoever is still making its connection can give up. */
  get gone(): AbortSignal {
    return this.closing.signal;
  }

  /** Settles once the streams are attached or the upstream closed (see `connected`). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  reportBytes(bus: EventBus, mediumId: string): void {
    this.bytes = new ByteReporter(bus, mediumId);
  }

  start(consumer: ChunkConsumer, onClose: (reason: string) => void): void {
    this.consumer = consumer;
    this.onClose = onClose;
    if (this.closedReason !== null) onClose(this.closedReason);
    else this.wireInput();
  }

  /** Reports the close once; owners call it when they learn more (a subprocess's exit status). */
  closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    if (this.endTimer) clearTimeout(this.endTimer);
    this.closing.abort();
    this.markReady();
    // Before the close is reported (`medium-closed`): the byte totals in events are exact by then.
    this.bytes?.flush();
    this.onClose?.(reason);
  }

  close(): void {
    this.closed('closed by the server side');
    this.streams?.teardown();
  }

  private counted(direction: 'read' | 'written', count: number): void {
    if (count > 0) this.bytes?.count(direction, count);
  }

  private wireInput(): void {
    const { streams, consumer } = this;
    if (!streams || !consumer) return;
    streams.input.on('data', (chunk: Buffer) => {
      this.counted('read', chunk.length);
      const pending = consumer(chunk);
      if (pending) {
        streams.input.pause();
        void pending.then(() => streams.input.resume());
      }
    });
  }
}
