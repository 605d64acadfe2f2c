/**
 * Small byte helpers for the hot paths. Views are made with the Uint8Array constructor, not
 * `subarray`/`slice`: those look up a species constructor (slow in V8, and on a Node Buffer
 * `slice` makes a view, not a copy).
 */

/** A view of buf[start, end). */
export function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}

/** A private copy of buf[start, end). */
export function copyOf(buf: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const out = new Uint8Array(n);
  if (n < 32) for (let i = 0; i < n; i++) out[i] = buf[start + i];
  else out.set(view(buf, start, end));
  return out;
}

/** A plain Uint8Array over the same memory (a Node Buffer's methods differ). */
export function plain(chunk: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(chunk) === Uint8Array.prototype ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
}

/** The chunks joined into one array (the one chunk itself when there is one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Big-endian uint32 from the first 4 bytes. */
export function readUint32(b: Uint8Array): number {
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}
