/**
 * The server end of a stream pair (Breezy's SmartServerPipeStreamMedium): stdin/stdout
 * for `serve --inet`, or an SSH exec channel (its stream is both ends).
 */
import type { Readable, Writable } from 'node:stream';
import type { MediumKind } from '../../shared/events';
import type { EventBus, IdSource } from '../engine/event-bus';
import { ServerMedium } from './server-medium';

export interface PipeServerMediumOptions {
  input: Readable;
  output: Writable;
  /** Who is on the other end, e.g. "stdin/stdout" or "ssh:alice@127.0.0.1:50122". */
  peer: string;
  bus: EventBus;
  ids: IdSource;
  ownerId?: string;
  clientTimeoutSec?: () => number;
}

export class PipeServerMedium extends ServerMedium {
  readonly kind: MediumKind = 'pipe-server';

  constructor(opts: PipeServerMediumOptions) {
    super(opts);
  }

  protected disconnect(): void {
    // stdout must be flushed, not destroyed: end() lets queued bytes go out first.
    this.output.end();
    if (this.input !== (this.output as unknown)) this.input.destroy();
  }
}
