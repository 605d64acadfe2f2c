/**
 * The states of a stream decoder, one union: what the next bytes of the stream are.
 * `family` picks the step function; each family's step switches over its own names.
 */
import type { BValue } from './types';
import type { ByteInput } from './byte-input';
import type { MessageBuilder } from './message-builder';
import type { HeaderCache } from './header-cache';

export type BetweenMessages = { family: 'between'; name: 'between-messages' };

export type V3State =
  | { family: 'v3'; name: 'v3-headers-length' }
  | { family: 'v3'; name: 'v3-headers'; length: number }
  | { family: 'v3'; name: 'v3-part-kind' }
  | { family: 'v3'; name: 'v3-one-byte' }
  | { family: 'v3'; name: 'v3-structure-length' }
  | { family: 'v3'; name: 'v3-structure'; length: number }
  | { family: 'v3'; name: 'v3-body-length' }
  | { family: 'v3'; name: 'v3-body'; remaining: number };

export type V12State =
  | { family: 'v12'; name: 'v2-status' }
  | { family: 'v12'; name: 'v12-args' }
  | { family: 'v12'; name: 'bulk-length' }
  | { family: 'v12'; name: 'bulk-data'; remaining: number }
  | { family: 'v12'; name: 'bulk-trailer' }
  | { family: 'v12'; name: 'chunked-header' }
  /** `errorArgs` is set once an `ERR` line was read: later chunks are error args. */
  | { family: 'v12'; name: 'chunk-length'; errorArgs: BValue[] | null }
  | { family: 'v12'; name: 'chunk-data'; remaining: number }
  | { family: 'v12'; name: 'error-chunk'; length: number; errorArgs: BValue[] };

export type DecoderState = BetweenMessages | V3State | V12State;

export const BETWEEN_MESSAGES: BetweenMessages = { family: 'between', name: 'between-messages' };

/** What the per-version step functions need from the stream decoder that runs them. */
export interface DecoderCore {
  readonly input: ByteInput;
  readonly msg: MessageBuilder;
  /** Largest structure, header dict, tuple or line accepted. */
  readonly limit: number;
  state: DecoderState;
  readonly headerCache: HeaderCache;
  /** Responses: the verb of the request being answered ('' for requests). */
  readonly pairedVerb: string;
  /** The current message is complete at the current offset. */
  finishMessage(): void;
}
