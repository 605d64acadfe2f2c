/**
 * Puts a server's local answers on the wire. The last answer's bytes are kept: a connection
 * usually repeats the same few calls, and encoding was a measurable share of a `hello` round
 * trip (bench/hello.js). The bytes are shared between calls, so nobody may change them.
 */
import { encodeResponse } from '../../shared/protocol';
import type { LocalAnswer } from '../server/policies/answers';

export class AnswerEncoder {
  private readonly text = new TextEncoder();
  private last: { answer: LocalAnswer; version: string | null; bytes: Buffer } | null = null;

  /** `softwareVersion`: the v3 `Software version` header to send, or null for none. */
  encode(answer: LocalAnswer, softwareVersion: string | null): Buffer {
    const last = this.last;
    if (last && last.version === softwareVersion && sameAnswer(last.answer, answer)) return last.bytes;
    const headers = answer.protocol === 3 && softwareVersion !== null ? new Map([['Software version', this.text.encode(softwareVersion)]]) : undefined;
    const encoded = encodeResponse({ protocol: answer.protocol, status: answer.status, args: answer.args.map((a) => this.text.encode(a)), headers });
    // A Buffer, so the socket write needs no view of its own each time.
    const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);
    this.last = { answer: { ...answer, args: [...answer.args] }, version: softwareVersion, bytes };
    return bytes;
  }
}

function sameAnswer(a: LocalAnswer, b: LocalAnswer): boolean {
  if (a.protocol !== b.protocol || a.status !== b.status || a.args.length !== b.args.length) return false;
  for (let i = 0; i < a.args.length; i++) if (a.args[i] !== b.args[i]) return false;
  return true;
}
