/**
 * Push-based decoding of one direction of a connection: a sequence of messages, each
 * possibly in a different protocol version. Bytes after a message belong to the next one.
 *
 * Invariants: a decoder that has thrown is dead and refuses further input with the same
 * error; events go out synchronously from `feed`; body bytes are never buffered.
 */
import type { DecodeEventHandler, DecoderOptions } from './types';
import { DEFAULT_MAX_STRUCTURE_BYTES } from './types';
import { ByteInput } from './byte-input';
import { MessageBuilder } from './message-builder';
import { HeaderCache } from './header-cache';
import { BETWEEN_MESSAGES, type DecoderCore, type DecoderState } from './decoder-state';
import { stepV3 } from './protocol-three-decoder';
import { stepV12 } from './protocol-two-decoder';
import { assertNever, HpssError, protocolError } from './errors';
import { plain } from './bytes';

export abstract class StreamDecoder implements DecoderCore {
  readonly input = new ByteInput();
  readonly msg: MessageBuilder;
  readonly limit: number;
  readonly headerCache = new HeaderCache();
  state: DecoderState = BETWEEN_MESSAGES;
  pairedVerb = '';
  private failure: HpssError | null = null;

  constructor(onEvent: DecodeEventHandler, opts: DecoderOptions = {}) {
    this.msg = new MessageBuilder(onEvent);
    this.limit = opts.maxStructureBytes ?? DEFAULT_MAX_STRUCTURE_BYTES;
  }

  /** Stream offset of the next byte to be fed. */
  get offset(): number {
    return this.input.offset + this.input.available;
  }

  feed(chunk: Uint8Array): void {
    this.checkAlive();
    if (chunk.length === 0) return;
    this.input.push(plain(chunk));
    this.run();
  }

  /** The stream has ended: throws `truncated` when it ended inside a message. */
  finish(): void {
    this.checkAlive();
    if (this.state.family !== 'between' || this.input.holdsPartialItem) {
      this.fail(
        protocolError('truncated', `stream ended inside ${this.describeCurrent()}`, this.input.offset),
      );
    }
  }

  finishMessage(): void {
    this.msg.end(this.input.offset);
    this.state = BETWEEN_MESSAGES;
  }

  /** Start the next message from the bytes at hand; false when there are none (or it must wait). */
  protected abstract startMessage(): boolean;

  protected run(): void {
    try {
      while (this.step());
    } catch (err) {
      this.fail(err);
    }
  }

  private step(): boolean {
    const st = this.state;
    switch (st.family) {
      case 'between':
        return this.startMessage();
      case 'v3':
        return stepV3(this, st);
      case 'v12':
        return stepV12(this, st);
      default:
        return assertNever(st);
    }
  }

  private describeCurrent(): string {
    const m = this.msg;
    return this.state.family === 'between'
      ? `the first line of a message that began at byte ${this.input.itemOffset}`
      : `a v${m.protocol} ${m.kind} that began at byte ${m.start} (${this.state.name})`;
  }

  private checkAlive(): void {
    if (this.failure) {
      const f = this.failure;
      throw new HpssError(f.kind, 'decoder-failed', `decoder already failed: ${f.message}`, { offset: f.offset });
    }
  }

  /** Record the failure (the decoder is dead from now on) and throw it. */
  protected fail(err: unknown): never {
    this.failure =
      err instanceof HpssError ? err : new HpssError('protocol', 'decoder-failed', String(err), { offset: this.input.offset });
    throw err;
  }
}
