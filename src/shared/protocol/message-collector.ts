/**
 * Turns decode events into whole messages, bodies included, for clients and small tools
 * (a relay should stream instead). Collected body bytes are capped.
 */
import type { DecodeEvent, MessageSummary } from './types';
import { HpssError } from './errors';
import { concatBytes, copyOf } from './bytes';

export interface CollectedMessage {
  summary: MessageSummary;
  offset: number;
  length: number;
  /** All body parts joined; null when the message has no body. */
  body: Uint8Array | null;
  bodyParts: Uint8Array[];
}

export const DEFAULT_MAX_COLLECTED_BODY_BYTES = 64 * 1024 * 1024;

export class MessageCollector {
  private parts: Uint8Array[] = [];
  private current: Uint8Array[] = [];
  private collected = 0;
  private messageOffset = 0;
  private readonly maxBodyBytes: number;

  constructor(
    private readonly onMessage: (message: CollectedMessage) => void,
    opts: { maxBodyBytes?: number } = {},
  ) {
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_COLLECTED_BODY_BYTES;
  }

  /** Pass this as a decoder's event handler. */
  readonly onEvent = (e: DecodeEvent): void => {
    switch (e.type) {
      case 'message-start':
        this.parts = [];
        this.collected = 0;
        this.messageOffset = e.offset;
        return;
      case 'body-part-start':
        if (this.collected + e.length > this.maxBodyBytes) {
          throw new HpssError(
            'protocol',
            'body-too-large',
            `message body exceeds the ${this.maxBodyBytes}-byte collection limit (part of ${e.length} bytes after ${this.collected}) in the message at byte ${this.messageOffset}`,
            { offset: this.messageOffset },
          );
        }
        this.collected += e.length;
        this.current = [];
        return;
      case 'body-data':
        this.current.push(copyOf(e.data, 0, e.data.length));
        return;
      case 'body-part-end':
        this.parts.push(concatBytes(this.current));
        return;
      case 'message-end':
        this.onMessage({
          summary: e.summary,
          offset: e.offset,
          length: e.length,
          body: e.summary.body ? concatBytes(this.parts) : null,
          bodyParts: this.parts,
        });
        return;
      case 'headers':
      case 'status':
      case 'args':
      case 'post-body-error':
        return;
    }
  };
}

