/**
 * Value and event types of the protocol core. Decoders emit `DecodeEvent`s; every message
 * ends with a `MessageSummary` that carries everything but the body bytes.
 */

export type ProtocolVersion = 1 | 2 | 3;
export type MessageKind = 'request' | 'response';
export type ResponseStatus = 'S' | 'E';

/**
 * A bencoded value: byte strings, integers (bigint beyond 2^53), lists and dicts.
 * Dict keys are strings: the key bytes decoded as UTF-8, or `"hex:" + hex` when they are not
 * valid UTF-8 (Breezy only ever sends ASCII keys; the encoder writes keys back as UTF-8).
 */
export type BValue = Uint8Array | number | bigint | BValue[] | Map<string, BValue>;

export interface BodySummary {
  length: number;
  parts: number;
  partLengths: number[];
  /** v1/v2 only: length-prefixed (`bulk`) or `chunked`. */
  encoding?: 'bulk' | 'chunked';
}

export interface MessageSummary {
  kind: MessageKind;
  protocol: ProtocolVersion;
  /** v3 headers; null for v1/v2. */
  headers: Map<string, BValue> | null;
  /** Responses: v3 first `o` part, v2 success/failed; null for requests and v1. */
  status: ResponseStatus | null;
  /** Args tuple / structure; for requests args[0] is the verb. */
  args: BValue[];
  body: BodySummary | null;
  /** v3: message parts in order ('o:S', 's', 'b:<len>', 'e'). */
  parts?: string[];
  /** v3 `oE` + structure after body parts, v2 `ERR` chunks: an error in mid-stream. */
  postBodyStatus?: ResponseStatus;
  postBodyArgs?: BValue[];
}

export type DecodeEvent =
  | { type: 'message-start'; kind: MessageKind; protocol: ProtocolVersion; offset: number }
  /** v3. The same Map is reused for messages with identical header bytes: don't mutate it. */
  | { type: 'headers'; headers: Map<string, BValue> }
  | { type: 'status'; status: ResponseStatus }
  | { type: 'args'; args: BValue[] }
  | { type: 'body-part-start'; length: number }
  /** A view into the fed chunk: valid only during the callback; copy to keep. */
  | { type: 'body-data'; data: Uint8Array }
  | { type: 'body-part-end' }
  | { type: 'post-body-error'; status: 'E'; args: BValue[] }
  | { type: 'message-end'; offset: number; length: number; summary: MessageSummary };

export type DecodeEventHandler = (event: DecodeEvent) => void;

export interface DecoderOptions {
  /** Largest structure, header dict, args tuple or length line accepted; default 16 MiB. */
  maxStructureBytes?: number;
}

/** What a response decoder needs to know about the request it answers. */
export interface ExpectedResponse {
  protocol: ProtocolVersion;
  verb: string;
}

export const DEFAULT_MAX_STRUCTURE_BYTES = 16 * 1024 * 1024;
