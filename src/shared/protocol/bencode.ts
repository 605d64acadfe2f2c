/**
 * Strict bencode, as Breezy's `fastbencode` accepts it:
 *   int    `i` [-] digits `e`   (no leading zeros, no `-0`)
 *   bytes  digits `:` bytes    (no leading zeros)
 *   list   `l` values `e`
 *   dict   `d` (bytes-key value)* `e`, keys strictly ascending by bytes
 * Decoded byte strings are private copies (callers may keep them; the input may be reused).
 */
import type { BValue } from './types';
import { protocolError } from './errors';
import { bytesToKey, keyToBytes } from './text';
import { copyOf, view } from './bytes';
import { ByteSink } from './byte-sink';

export const DEFAULT_MAX_BENCODE_DEPTH = 64;

const I = 0x69; // 'i'
const L = 0x6c; // 'l'
const D = 0x64; // 'd'
const E = 0x65; // 'e'
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

export interface BdecodeOptions {
  maxDepth?: number;
  /** Added to error offsets: the position of `bytes` in a larger stream. */
  baseOffset?: number;
}

/** Decode exactly one bencoded value filling all of `bytes`. */
export function bdecode(bytes: Uint8Array, opts: BdecodeOptions = {}): BValue {
  return bdecodeRange(bytes, 0, bytes.length, opts);
}

/** Decode exactly one value filling src[start, end) (decoders use this to avoid a view). */
export function bdecodeRange(src: Uint8Array, start: number, end: number, opts: BdecodeOptions = {}): BValue {
  const parser = new Parser(src, start, end, opts.maxDepth ?? DEFAULT_MAX_BENCODE_DEPTH, (opts.baseOffset ?? 0) - start);
  const value = parser.value(0);
  if (parser.pos !== end) parser.fail('junk after the value');
  return value;
}

class Parser {
  pos: number;
  constructor(
    private readonly src: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly maxDepth: number,
    /** Added to `pos` to give a stream offset. */
    private readonly base: number,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    throw protocolError('bencode', `bencode: ${what}`, this.base + this.pos);
  }

  value(depth: number): BValue {
    const src = this.src;
    if (this.pos >= this.end) this.fail('value expected, input ended');
    const c = src[this.pos];
    if (c === I) return this.integer();
    if (c >= ZERO && c <= NINE) return this.string();
    if (c === L || c === D) {
      if (depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
      return c === L ? this.list(depth + 1) : this.dict(depth + 1);
    }
    return this.fail(`unexpected byte 0x${c.toString(16)}`);
  }

  private integer(): number | bigint {
    const src = this.src;
    let p = this.pos + 1;
    const negative = src[p] === MINUS;
    if (negative) p++;
    const start = p;
    let n = 0;
    while (p < this.end && src[p] >= ZERO && src[p] <= NINE) n = n * 10 + (src[p++] - ZERO);
    const digits = p - start;
    if (digits === 0 || p >= this.end || src[p] !== E) this.fail('malformed integer');
    if (digits > 1 && src[start] === ZERO) this.fail('leading zero in integer');
    if (negative && src[start] === ZERO) this.fail('negative zero');
    this.pos = p + 1;
    if (digits < 16) return negative ? -n : n;
    let text = '';
    for (let i = start; i < p; i++) text += String.fromCharCode(src[i]);
    const big = BigInt(text);
    const signed = negative ? -big : big;
    return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed;
  }

  /** Reads a string's length prefix; leaves pos at the string's end and returns its start. */
  private stringStart(): number {
    const src = this.src;
    let p = this.pos;
    const start = p;
    let n = 0;
    while (p < this.end && src[p] >= ZERO && src[p] <= NINE) {
      n = n * 10 + (src[p++] - ZERO);
      if (n > this.end) this.fail('string length beyond the input');
    }
    if (p >= this.end || src[p] !== COLON) this.fail('malformed string length');
    if (p - start > 1 && src[start] === ZERO) this.fail('leading zero in string length');
    const end = p + 1 + n;
    if (end > this.end) this.fail('string runs past the input');
    this.pos = end;
    return p + 1;
  }

  private string(): Uint8Array {
    const start = this.stringStart();
    return copyOf(this.src, start, this.pos);
  }

  private list(depth: number): BValue[] {
    const src = this.src;
    this.pos++;
    const out: BValue[] = [];
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated list');
      if (src[this.pos] === E) break;
      out.push(this.value(depth));
    }
    this.pos++;
    return out;
  }

  private dict(depth: number): Map<string, BValue> {
    const src = this.src;
    this.pos++;
    const out = new Map<string, BValue>();
    let prev: Uint8Array | null = null;
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated dict');
      const c = src[this.pos];
      if (c === E) break;
      if (c < ZERO || c > NINE) this.fail('dict key is not a byte string');
      const keyAt = this.pos;
      const key = view(src, this.stringStart(), this.pos);
      if (prev !== null && compareBytes(prev, key) >= 0) {
        this.pos = keyAt;
        this.fail('dict keys not in ascending order');
      }
      prev = key;
      out.set(bytesToKey(key), this.value(depth));
    }
    this.pos++;
    return out;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Encode a value; dict keys are sorted by their UTF-8 bytes as bencode requires. */
export function bencode(value: BValue): Uint8Array {
  const out = new ByteSink();
  encodeInto(value, out);
  return out.finish();
}

function encodeInto(value: BValue, out: ByteSink): void {
  if (value instanceof Uint8Array) {
    out.ascii(`${value.length}:`);
    out.bytes(value);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode: not an integer: ${value}`);
    out.ascii(`i${value}e`);
  } else if (typeof value === 'bigint') {
    out.ascii(`i${value}e`);
  } else if (Array.isArray(value)) {
    out.ascii('l');
    for (const v of value) encodeInto(v, out);
    out.ascii('e');
  } else {
    const entries = [...value.entries()].map(([k, v]) => [keyToBytes(k), v] as const);
    entries.sort((a, b) => compareBytes(a[0], b[0]));
    out.ascii('d');
    for (const [k, v] of entries) {
      out.ascii(`${k.length}:`);
      out.bytes(k);
      encodeInto(v, out);
    }
    out.ascii('e');
  }
}
