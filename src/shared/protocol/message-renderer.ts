/**
 * Decode events → one JSON object per message, in the form of the captures' `.expected.json`
 * `messages` (body as length, sha256, part count and lengths, a 48-byte preview). The hash is
 * injected so this stays pure: Node passes `node:crypto`, a browser its own.
 */
import type { JsonValue } from '../events';
import type { DecodeEvent } from './types';
import type { Direction } from './connection-decoder';
import { argsToJson, headersToJson, verbOf } from './render';
import { renderBytes } from './text';
import { verbKind } from './verbs';

export interface IncrementalHash {
  update(data: Uint8Array): void;
  /** Lowercase hex. */
  digest(): string;
}

export type RenderedMessage = { [key: string]: JsonValue };

const PREVIEW_BYTES = 48;

/** Renders the messages of one direction; feed it that direction's events. */
export class MessageRenderer {
  private hash: IncrementalHash | null = null;
  private preview = new Uint8Array(PREVIEW_BYTES);
  private previewLen = 0;

  constructor(
    private readonly dir: Direction,
    private readonly createHash: () => IncrementalHash,
    private readonly onMessage: (message: RenderedMessage) => void,
  ) {}

  readonly onEvent = (e: DecodeEvent): void => {
    switch (e.type) {
      case 'message-start':
        this.hash = null;
        this.previewLen = 0;
        return;
      case 'body-data': {
        (this.hash ??= this.createHash()).update(e.data);
        const take = Math.min(PREVIEW_BYTES - this.previewLen, e.data.length);
        if (take > 0) {
          this.preview.set(e.data.subarray(0, take), this.previewLen);
          this.previewLen += take;
        }
        return;
      }
      case 'message-end':
        this.onMessage(this.render(e));
        return;
      default:
        return;
    }
  };

  private render(e: Extract<DecodeEvent, { type: 'message-end' }>): RenderedMessage {
    const s = e.summary;
    const m: RenderedMessage = {
      dir: this.dir,
      kind: s.kind,
      protocol: s.protocol,
      offset: e.offset,
      length: e.length,
      headers: headersToJson(s.headers),
    };
    if (s.kind === 'response') m.status = s.status;
    m.args = argsToJson(s.args);
    m.body = null;
    if (s.body) {
      const body: RenderedMessage = {
        length: s.body.length,
        sha256: (this.hash ?? this.createHash()).digest(),
        parts: s.body.parts,
        part_lengths: s.body.partLengths,
        preview: renderBytes(this.preview.subarray(0, this.previewLen)),
      };
      if (s.body.encoding) body.encoding = s.body.encoding;
      m.body = body;
    }
    if (s.parts) m.parts = s.parts;
    if (s.postBodyStatus) m.post_body_status = s.postBodyStatus;
    if (s.postBodyArgs) m.post_body_args = argsToJson(s.postBodyArgs);
    if (s.kind === 'request') m.verb_kind = verbKind(verbOf(s.args));
    return m;
  }
}
