/**
 * A client's v3 requests on the wire: the marker and headers (the same for every request) are
 * encoded once, and the last body-less request's bytes are kept, since a client often repeats
 * a call and encoding was a measurable share of a `hello` round trip (bench/hello.js). The
 * kept bytes are handed out again, so nobody may change them.
 */
import { defaultHeaders, encodeV3BodyPart, encodeV3End, encodeV3MessageStart, encodeV3Structure, utf8Bytes, type BValue } from '../../shared/protocol';

const V3_END = encodeV3End();

export class V3RequestEncoder {
  private readonly start: Uint8Array;
  private last: { verb: string; args: readonly Uint8Array[]; bytes: Buffer } | null = null;

  constructor(headers: Map<string, BValue> = defaultHeaders()) {
    this.start = encodeV3MessageStart(headers);
  }

  /** A whole request: marker, headers, structure, the body as one part if any, end. */
  request(verb: string, args: readonly BValue[], body?: Uint8Array): Buffer {
    if (body) return Buffer.concat([this.start, this.structure(verb, args), encodeV3BodyPart(body), V3_END]);
    const last = this.last;
    if (last && last.verb === verb && sameBytes(last.args, args)) return last.bytes;
    const bytes = Buffer.concat([this.start, this.structure(verb, args), V3_END]);
    if (args.every((a) => a instanceof Uint8Array)) this.last = { verb, args: args.map((a) => Uint8Array.from(a as Uint8Array)), bytes };
    return bytes;
  }

  /** What precedes a streamed body: marker, headers, structure. */
  head(verb: string, args: readonly BValue[]): Buffer {
    return Buffer.concat([this.start, this.structure(verb, args)]);
  }

  /** One part of a streamed body. */
  bodyPart(chunk: Uint8Array): Uint8Array {
    return encodeV3BodyPart(chunk);
  }

  /** The end of a streamed request. */
  end(): Uint8Array {
    return V3_END;
  }

  private structure(verb: string, args: readonly BValue[]): Uint8Array {
    return encodeV3Structure([utf8Bytes(verb), ...args]);
  }
}

function sameBytes(kept: readonly Uint8Array[], args: readonly BValue[]): boolean {
  if (kept.length !== args.length) return false;
  for (let i = 0; i < kept.length; i++) {
    const a = args[i];
    if (!(a instanceof Uint8Array) || Buffer.compare(kept[i], a) !== 0) return false;
  }
  return true;
}
