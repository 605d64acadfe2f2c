/**
 * The server end of a stream pair (Breezy's SmartServerPipeStreamMedium): stdin/stdout
 * for `serve --inet`, or an SSH exec channel (its stream is both ends).
 */
import type { MediumKind } from '../../shared/events';
import { ServerMedium } from './server-medium';

export class PipeServerMedium extends ServerMedium {
  readonly kind: MediumKind = 'pipe-server';

  protected disconnect(): void {
    // stdout must be flushed, not destroyed: end() lets queued bytes go out first.
    this.output.end();
    if (this.input !== (this.output as unknown)) this.input.destroy();
  }
}
