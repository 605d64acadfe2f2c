/**
 * A small bzip2 compressor (Repository.get_parent_map and get_bundle answer with bz2 bodies;
 * Node has no bzip2). It favours being obviously correct over the last few per cent of ratio:
 * the block is run-length coded (RLE1), Burrows-Wheeler transformed (rotations ranked by
 * prefix doubling), move-to-front and zero-run coded (RUNA/RUNB), then written with one
 * Huffman code made for the whole block (sent as two identical tables, every selector 0,
 * where bzip2 itself switches among up to six every 50 symbols). Any bzip2 decoder reads it.
 *
 * Stream: "BZh9", blocks, end-of-stream marker 0x177245385090 + combined CRC, byte padding.
 * Block: magic 0x314159265359, block CRC (of the original bytes), randomised bit 0, 24-bit
 * origPtr, the 16+16×k bit used-byte map, 3-bit table count, 15-bit selector count,
 * selectors (unary MTF), each table's code lengths (5-bit start, then per symbol: 0 = next),
 * then the coded symbols. Bits are written most significant first.
 *
 * `Bzip2Writer` takes the input in pieces and hands out the compressed bytes of each block
 * as it fills (get_bundle's bundles are compressed as they are made, a block at a time);
 * `bzip2()` is the whole of one input at once.
 */

import { concatBytes } from '../protocol/bytes';

/**
 * Original bytes per block: small enough that RLE1 output stays far below 900k. A write of
 * at most this many bytes compresses at most one block.
 */
export const BLOCK_INPUT_BYTES = 100_000;
const SYMBOLS_PER_SELECTOR = 50;
/** bzip2's own encoder keeps codes this short (decoders take up to 20 bits). */
const MAX_CODE_LENGTH = 17;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function blockCrc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  // Indexed loops, here and in the block's other passes: for-of over a typed array is several times slower in V8.
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
  return ~crc >>> 0;
}

class BitWriter {
  private out = new Uint8Array(64 * 1024);
  private length = 0;
  /** The bits not yet a whole byte: `count` of them, fewer than 8, in the low bits. */
  private acc = 0;
  private count = 0;

  /** Writes the low `n` bits of `value` (n ≤ 32), most significant first. */
  bits(n: number, value: number): void {
    if (n > 24) {
      // At most 7 pending bits + 24 stay within 31 bits: wider values go in two halves.
      this.bits(n - 16, value >>> 16);
      this.bits(16, value & 0xffff);
      return;
    }
    this.acc = (this.acc << n) | (value & ((1 << n) - 1));
    this.count += n;
    while (this.count >= 8) {
      this.count -= 8;
      this.byte((this.acc >>> this.count) & 0xff);
    }
    this.acc &= (1 << this.count) - 1;
  }

  private byte(b: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = b;
  }

  /** The whole bytes written since the last take; a partial byte stays for the next bits. */
  take(): Uint8Array {
    const bytes = this.out.slice(0, this.length);
    this.length = 0;
    return bytes;
  }

  finish(): Uint8Array {
    if (this.count > 0) this.byte(this.acc << (8 - this.count));
    this.acc = 0;
    this.count = 0;
    return this.take();
  }
}

/** RLE1: runs of 4 to 255 equal bytes become the 4 bytes and a count of the rest. */
function runLength(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let run = 1;
    while (i + run < bytes.length && bytes[i + run] === bytes[i] && run < 255) run++;
    if (run >= 4) out.push(bytes[i], bytes[i], bytes[i], bytes[i], run - 4);
    else for (let k = 0; k < run; k++) out.push(bytes[i]);
    i += run;
  }
  return Uint8Array.from(out);
}

/**
 * The BWT of `block` (cyclic rotations sorted): the last column and where row 0 went.
 * Rotations are ranked by prefix doubling, each round one stable counting sort by rank of
 * the order sorted by the rank k further on (read off the previous round's order): O(n log n).
 */
function burrowsWheeler(block: Uint8Array): { last: Uint8Array; origPtr: number } {
  const n = block.length;
  let rank = Int32Array.from(block);
  let next = new Int32Array(n);
  const order = new Int32Array(n);
  const byNext = new Int32Array(n);
  countingSortInto(order, Int32Array.from({ length: n }, (_, i) => i), rank, 256);
  let classes = 256;
  for (let k = 1; k < n; k *= 2) {
    // (k < n, so one wrap at most: no modulo in the hot loops)
    for (let j = 0; j < n; j++) byNext[j] = order[j] >= k ? order[j] - k : order[j] - k + n;
    countingSortInto(order, byNext, rank, classes);
    next[order[0]] = 0;
    for (let j = 1; j < n; j++) {
      const a = order[j - 1];
      const b = order[j];
      const ak = a + k < n ? a + k : a + k - n;
      const bk = b + k < n ? b + k : b + k - n;
      next[b] = next[a] + (rank[a] !== rank[b] || rank[ak] !== rank[bk] ? 1 : 0);
    }
    [rank, next] = [next, rank];
    classes = rank[order[n - 1]] + 1;
    if (classes === n) break;
  }
  const last = new Uint8Array(n);
  let origPtr = 0;
  for (let j = 0; j < n; j++) {
    last[j] = block[(order[j] + n - 1) % n];
    if (order[j] === 0) origPtr = j;
  }
  return { last, origPtr };
}

/** `out` = `items` stably sorted by `key[item]` (keys below `range`). */
function countingSortInto(out: Int32Array, items: Int32Array, key: Int32Array, range: number): void {
  const count = new Int32Array(range + 1);
  const n = items.length;
  for (let i = 0; i < n; i++) count[key[items[i]] + 1]++;
  for (let r = 1; r <= range; r++) count[r] += count[r - 1];
  for (let i = 0; i < n; i++) out[count[key[items[i]]]++] = items[i];
}

/**
 * Huffman code lengths for `freq`, none longer than MAX_CODE_LENGTH, every symbol coded (bzip2
 * sends a length for each symbol of the alphabet, used or not): as bzip2's hbMakeCodeLengths,
 * an unused symbol weighs 1, and when the tree comes out too deep the weights are halved and
 * it is built again.
 */
export function huffmanCodeLengths(freq: readonly number[]): number[] {
  let weights = freq.map((f) => Math.max(f, 1));
  for (;;) {
    const lengths = treeDepths(weights);
    if (Math.max(...lengths) <= MAX_CODE_LENGTH) return lengths;
    weights = weights.map((wt) => 1 + Math.floor(wt / 2));
  }
}

/** The depth of each leaf of a Huffman tree over `weights` (at least 1: one symbol still needs a bit). */
function treeDepths(weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 1) return [1];
  // Nodes 0..n-1 are leaves; merged nodes follow. Two sorted queues (leaves, merged nodes)
  // give the two lightest in O(1) each: merged weights only grow.
  const parent = new Int32Array(2 * n - 1);
  const weight = [...weights];
  const leaves = weights.map((_, i) => i).sort((a, b) => weights[a] - weights[b] || a - b);
  const merged: number[] = [];
  let li = 0;
  let mi = 0;
  const lightest = (): number => {
    if (mi >= merged.length || (li < leaves.length && weight[leaves[li]] <= weight[merged[mi]])) return leaves[li++];
    return merged[mi++];
  };
  for (let next = n; next < 2 * n - 1; next++) {
    const a = lightest();
    const b = lightest();
    weight[next] = weight[a] + weight[b];
    parent[a] = next;
    parent[b] = next;
    merged.push(next);
  }
  const depth = new Int32Array(2 * n - 1);
  for (let node = 2 * n - 3; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  return Array.from(depth.subarray(0, n));
}

/** bzip2's canonical codes (hbAssignCodes): by length, then by symbol, counting up. */
function canonicalCodes(lengths: readonly number[]): number[] {
  const codes = new Array<number>(lengths.length).fill(0);
  let code = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    for (let s = 0; s < lengths.length; s++) if (lengths[s] === len) codes[s] = code++;
    code <<= 1;
  }
  return codes;
}

function writeBlock(w: BitWriter, original: Uint8Array): number {
  const crc = blockCrc(original);
  const { last, origPtr } = burrowsWheeler(runLength(original));
  const inUse = new Array<boolean>(256).fill(false);
  for (let i = 0; i < last.length; i++) inUse[last[i]] = true;
  const unseqToSeq = new Array<number>(256).fill(-1);
  const alphabet: number[] = [];
  for (let b = 0; b < 256; b++) if (inUse[b]) unseqToSeq[b] = alphabet.push(b) - 1;
  const eob = alphabet.length + 1;
  const alphaSize = alphabet.length + 2;

  // Move-to-front, zero runs as RUNA (0) / RUNB (1), other positions shifted by one.
  const symbols: number[] = [];
  const mtf = alphabet.map((_, i) => i);
  let zeros = 0;
  const flushZeros = () => {
    if (zeros === 0) return;
    let z = zeros - 1;
    for (;;) {
      symbols.push(z & 1);
      if (z < 2) break;
      z = (z - 2) >> 1;
    }
    zeros = 0;
  };
  for (let i = 0; i < last.length; i++) {
    const seq = unseqToSeq[last[i]];
    const pos = mtf.indexOf(seq);
    if (pos === 0) {
      zeros++;
      continue;
    }
    flushZeros();
    mtf.splice(pos, 1);
    mtf.unshift(seq);
    symbols.push(pos + 1);
  }
  flushZeros();
  symbols.push(eob);

  w.bits(24, 0x314159);
  w.bits(24, 0x265359);
  w.bits(32, crc);
  w.bits(1, 0);
  w.bits(24, origPtr);
  const ranges = Array.from({ length: 16 }, (_, r) => inUse.slice(r * 16, r * 16 + 16).some(Boolean));
  for (const used of ranges) w.bits(1, used ? 1 : 0);
  ranges.forEach((used, r) => {
    if (used) for (let b = 0; b < 16; b++) w.bits(1, inUse[r * 16 + b] ? 1 : 0);
  });
  const freq = new Array<number>(alphaSize).fill(0);
  for (const s of symbols) freq[s]++;
  const lengths = huffmanCodeLengths(freq);
  const codes = canonicalCodes(lengths);
  const selectors = Math.ceil(symbols.length / SYMBOLS_PER_SELECTOR);
  w.bits(3, 2);
  w.bits(15, selectors);
  for (let s = 0; s < selectors; s++) w.bits(1, 0);
  for (let t = 0; t < 2; t++) {
    // Each length as a step from the one before: 10 is +1, 11 is -1, 0 ends the symbol's.
    let current = lengths[0];
    w.bits(5, current);
    for (const len of lengths) {
      for (; current < len; current++) w.bits(2, 0b10);
      for (; current > len; current--) w.bits(2, 0b11);
      w.bits(1, 0);
    }
  }
  for (const s of symbols) w.bits(lengths[s], codes[s]);
  return crc;
}

/**
 * A bzip2 stream written piece by piece: `write` and `end` return the bytes ready so far.
 * Pieces are kept (not copied) until their block fills: do not change them after `write`.
 */
export class Bzip2Writer {
  private readonly w = new BitWriter();
  private combined = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor() {
    this.w.bits(32, 0x425a6839); // "BZh9"
  }

  write(data: Uint8Array): Uint8Array {
    if (this.ended) throw new Error('bzip2 stream already ended');
    let at = 0;
    while (at < data.length) {
      const take = Math.min(data.length - at, BLOCK_INPUT_BYTES - this.pendingBytes);
      this.pending.push(data.subarray(at, at + take));
      this.pendingBytes += take;
      at += take;
      if (this.pendingBytes === BLOCK_INPUT_BYTES) this.flushBlock();
    }
    return this.w.take();
  }

  end(): Uint8Array {
    if (this.ended) throw new Error('bzip2 stream already ended');
    if (this.pendingBytes > 0) this.flushBlock();
    this.ended = true;
    this.w.bits(24, 0x177245);
    this.w.bits(24, 0x385090);
    this.w.bits(32, this.combined);
    return this.w.finish();
  }

  private flushBlock(): void {
    const block = this.pending.length === 1 ? this.pending[0] : concatBytes(this.pending);
    const crc = writeBlock(this.w, block);
    this.combined = (((this.combined << 1) | (this.combined >>> 31)) ^ crc) >>> 0;
    this.pending = [];
    this.pendingBytes = 0;
  }
}

export function bzip2(data: Uint8Array): Uint8Array {
  const writer = new Bzip2Writer();
  return concatBytes([writer.write(data), writer.end()]);
}
