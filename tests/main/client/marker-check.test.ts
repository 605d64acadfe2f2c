import { expect, test } from 'vitest';
import { MarkerCheck } from '../../../src/main/client/response-reader';

const marker = Buffer.from('bzr message 3 (bzr 1.6)\n');
// A v1 server's answer to a v3 request it could not parse (from a real Breezy 3.3.2 server).
const v1Answer = Buffer.from("error\x01Generic bzr smart protocol error: bad request 'bzr message 3 (bzr 1.6)'\n");

function feedSplit(bytes: Buffer, at: number): boolean {
  const check = new MarkerCheck(marker);
  const first = check.accept(bytes.subarray(0, at));
  return first || check.accept(bytes.subarray(at));
}

test('the marker is recognised at every split offset, and byte by byte', () => {
  const answer = Buffer.concat([marker, Buffer.from('\x00\x00\x00\x02de')]);
  for (let at = 0; at <= answer.length; at++) expect(feedSplit(answer, at)).toBe(true);
  const check = new MarkerCheck(marker);
  const done = [...answer].map((b) => check.accept(Uint8Array.of(b)));
  expect(done.indexOf(true)).toBe(marker.length - 1);
});

test('another answer fails at its first differing byte, whatever the split', () => {
  for (let at = 0; at <= v1Answer.length; at++) {
    expect(() => feedSplit(v1Answer, at)).toThrow(/^Received bad protocol version marker: /);
  }
  const check = new MarkerCheck(marker);
  expect(check.accept(Buffer.from('bzr '))).toBe(false);
  expect(() => check.accept(Buffer.from('response 2\n'))).toThrow(expect.objectContaining({ code: 'unexpected-version-marker' }));
});
