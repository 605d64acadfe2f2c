/** 1 GiB bodies decode with flat memory: body bytes are handed on, never held. */
import { describe, expect, it } from 'vitest';
import {
  encodeChunkedBodyEnd, encodeChunkHeader, encodeResponse, encodeV3BodyPartHeader, encodeV3End, ResponseStreamDecoder,
  type ProtocolVersion,
} from '../../../src/shared/protocol';
import { text } from './support/naive';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function decodeGiB(protocol: ProtocolVersion, pieces: (payload: Uint8Array) => Iterable<Uint8Array>) {
  const payload = new Uint8Array(MiB).fill(0x61);
  let bodyBytes = 0;
  let parts = 0;
  let ended = false;
  const decoder = new ResponseStreamDecoder((e) => {
    if (e.type === 'body-data') bodyBytes += e.data.length;
    if (e.type === 'body-part-start') parts++;
    if (e.type === 'message-end') ended = true;
  });
  decoder.expect({ protocol, verb: 'Repository.get_stream' });
  const before = memory();
  let peak = 0;
  let fed = 0;
  for (const piece of pieces(payload)) {
    decoder.feed(piece);
    if (++fed % 256 === 0) peak = Math.max(peak, memory() - before);
  }
  decoder.finish();
  return { bodyBytes, parts, ended, peak };
}

describe('a 1 GiB streamed body', () => {
  it('v3: 1024 body parts of 1 MiB', () => {
    const r = decodeGiB(3, function* (payload) {
      const head = encodeResponse({ protocol: 3, status: 'S', args: [text('ok')], bodyStream: [] });
      yield head.subarray(0, head.length - 1); // all but the end byte
      for (let i = 0; i < GiB / MiB; i++) {
        yield encodeV3BodyPartHeader(payload.length);
        yield payload;
      }
      yield encodeV3End();
    });
    expect(r).toMatchObject({ bodyBytes: GiB, parts: 1024, ended: true });
    expect(r.peak).toBeLessThan(64 * MiB);
  });

  it('v3: one body part of 1 GiB, in 1 MiB chunks', () => {
    const r = decodeGiB(3, function* (payload) {
      const head = encodeResponse({ protocol: 3, status: 'S', args: [text('ok')], bodyStream: [] });
      yield head.subarray(0, head.length - 1);
      yield encodeV3BodyPartHeader(GiB);
      for (let i = 0; i < GiB / MiB; i++) yield payload;
      yield encodeV3End();
    });
    expect(r).toMatchObject({ bodyBytes: GiB, parts: 1, ended: true });
    expect(r.peak).toBeLessThan(64 * MiB);
  });

  it('v2: a chunked body of 1 GiB', () => {
    const r = decodeGiB(2, function* (payload) {
      yield new Uint8Array(Buffer.from('bzr response 2\nsuccess\nok\nchunked\n'));
      for (let i = 0; i < GiB / MiB; i++) {
        yield encodeChunkHeader(payload.length);
        yield payload;
      }
      yield encodeChunkedBodyEnd();
    });
    expect(r).toMatchObject({ bodyBytes: GiB, parts: 1024, ended: true });
    expect(r.peak).toBeLessThan(64 * MiB);
  });
});
