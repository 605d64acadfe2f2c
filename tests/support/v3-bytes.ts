/**
 * v3 requests built by hand, byte by byte from the layout (REFERENCE.md), independent of
 * our encoder: for tests that need to send half of one, or stop inside its body.
 */
export const V3_PREFIX = Buffer.from('bzr message 3 (bzr 1.6)\n', 'latin1');
export const V3_HEADERS = Buffer.from('d16:Software version5:3.3.2e', 'latin1');

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function bytestring(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([Buffer.from(`${b.length}:`), b]);
}

/** prefix, headers, the args structure, an optional body part, the end byte. */
export function v3Request(verb: string, args: (string | Buffer)[], body?: Buffer): Buffer {
  const structure = Buffer.concat([Buffer.from('l'), bytestring(verb), ...args.map(bytestring), Buffer.from('e')]);
  const bodyPart = body ? Buffer.concat([Buffer.from('b'), u32(body.length), body]) : Buffer.alloc(0);
  return Buffer.concat([V3_PREFIX, u32(V3_HEADERS.length), V3_HEADERS, Buffer.from('s'), u32(structure.length), structure, bodyPart, Buffer.from('e')]);
}

/** `hello`, and the end of Breezy's answer to it (`('ok', '2')`). */
export const V3_HELLO = v3Request('hello', []);
export const HELLO_ANSWER = 'l2:ok1:2ee';
