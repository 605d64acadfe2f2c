/**
 * An upstream over a readable/writable pair (a socket, a subprocess's pipes, an SSH
 * channel): request bytes out, response bytes in, with backpressure both ways and one
 * close report.
 */
import type { Readable, Writable } from 'node:stream';
import type { ChunkConsumer } from '../../medium/server-medium';
import type { Upstream } from '../../medium/server-serve-loop';

export interface StreamUpstreamOptions {
  input: Readable;
  output: Writable;
  /** Tears the connection down (destroy a socket, end a subprocess). */
  teardown: () => void;
}

export class StreamUpstream implements Upstream {
  private onClose: ((reason: string) => void) | null = null;
  private closedReason: string | null = null;
  private readonly input: Readable;
  private readonly output: Writable;
  private readonly teardown: () => void;

  constructor(opts: StreamUpstreamOptions) {
    this.input = opts.input;
    this.output = opts.output;
    this.teardown = opts.teardown;
    this.output.on('error', (err) => this.closed(err.message));
    this.input.on('error', (err) => this.closed(err.message));
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.closedReason !== null) return;
    if (this.output.write(chunk)) return;
    return new Promise((resolve) => {
      const done = (): void => {
        this.output.off('drain', done);
        this.output.off('close', done);
        resolve();
      };
      this.output.on('drain', done);
      this.output.on('close', done);
    });
  }

  start(consumer: ChunkConsumer, onClose: (reason: string) => void): void {
    this.onClose = onClose;
    if (this.closedReason !== null) {
      onClose(this.closedReason);
      return;
    }
    this.input.on('data', (chunk: Buffer) => {
      const pending = consumer(chunk);
      if (pending) {
        this.input.pause();
        void pending.then(() => this.input.resume());
      }
    });
    this.input.on('end', () => this.closed('end of stream'));
  }

  /** Called by owners that learn more about the close (a subprocess's exit status). */
  closed(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.onClose?.(reason);
  }

  close(): void {
    this.closed('closed by the server side');
    this.teardown();
  }
}
