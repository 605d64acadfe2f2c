/** Loads the captures in tests/fixtures/captures and renders decoded messages as their .expected.json does. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '../../../../src/shared/events';
import {
  ConnectionDecoder, argsToJson, headersToJson, renderBytes, verbKind, verbOf, type DecodeEvent, type Direction,
} from '../../../../src/shared/protocol';

export const CAPTURES_DIR = join(__dirname, '../../../fixtures/captures');

export interface Capture {
  name: string;
  c2s: Uint8Array;
  s2c: Uint8Array;
  /** The recv() chunks, in arrival order. */
  chunks: { dir: Direction; bytes: Uint8Array }[];
  expected: { messages: { [key: string]: JsonValue }[] } & { [key: string]: JsonValue };
}

export function captureNames(): string[] {
  return readdirSync(CAPTURES_DIR)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -'.expected.json'.length))
    .sort();
}

export function loadCapture(name: string): Capture {
  const file = (suffix: string): string => join(CAPTURES_DIR, `${name}.${suffix}`);
  const lines = readFileSync(file('jsonl'), 'utf8').trim().split('\n').slice(1);
  return {
    name,
    c2s: new Uint8Array(readFileSync(file('c2s.bin'))),
    s2c: new Uint8Array(readFileSync(file('s2c.bin'))),
    chunks: lines.map((l) => {
      const { dir, hex } = JSON.parse(l) as { dir: Direction; hex: string };
      return { dir, bytes: new Uint8Array(Buffer.from(hex, 'hex')) };
    }),
    expected: JSON.parse(readFileSync(file('expected.json'), 'utf8')),
  };
}

type Rendered = { [key: string]: JsonValue };

/** Collects each message in the expected.json form (every field our decoder can know). */
export class ExpectedFormRenderer {
  readonly messages: { c2s: Rendered[]; s2c: Rendered[] } = { c2s: [], s2c: [] };
  private hash = { c2s: createHash('sha256'), s2c: createHash('sha256') };
  private preview = { c2s: [] as Uint8Array[], s2c: [] as Uint8Array[] };
  private previewLen = { c2s: 0, s2c: 0 };

  readonly onEvent = (dir: Direction, e: DecodeEvent): void => {
    switch (e.type) {
      case 'message-start':
        this.hash[dir] = createHash('sha256');
        this.preview[dir] = [];
        this.previewLen[dir] = 0;
        return;
      case 'body-data': {
        this.hash[dir].update(e.data);
        const want = 48 - this.previewLen[dir];
        if (want > 0) {
          const piece = e.data.slice(0, want);
          this.preview[dir].push(piece);
          this.previewLen[dir] += piece.length;
        }
        return;
      }
      case 'message-end': {
        const s = e.summary;
        const m: Rendered = {
          dir,
          kind: s.kind,
          protocol: s.protocol,
          offset: e.offset,
          length: e.length,
          headers: headersToJson(s.headers),
          args: argsToJson(s.args),
          body: null,
        };
        if (s.kind === 'response') m.status = s.status;
        if (s.body) {
          const body: Rendered = {
            length: s.body.length,
            sha256: this.hash[dir].digest('hex'),
            parts: s.body.parts,
            part_lengths: s.body.partLengths,
            preview: renderBytes(Buffer.concat(this.preview[dir])),
          };
          if (s.body.encoding) body.encoding = s.body.encoding;
          m.body = body;
        }
        if (s.parts) m.parts = s.parts;
        if (s.postBodyStatus) m.post_body_status = s.postBodyStatus;
        if (s.postBodyArgs) m.post_body_args = argsToJson(s.postBodyArgs);
        if (s.kind === 'request') m.verb_kind = verbKind(verbOf(s.args));
        this.messages[dir].push(m);
        return;
      }
      default:
        return;
    }
  };
}

/** Decode a capture fed as the given chunk sequence; returns messages in exchange order. */
export function decodeChunks(chunks: { dir: Direction; bytes: Uint8Array }[]): Rendered[] {
  const renderer = new ExpectedFormRenderer();
  const decoder = new ConnectionDecoder(renderer.onEvent);
  for (const c of chunks) {
    if (c.dir === 'c2s') decoder.feedRequestBytes(c.bytes);
    else decoder.feedResponseBytes(c.bytes);
  }
  decoder.finish();
  const out: Rendered[] = [];
  const n = Math.max(renderer.messages.c2s.length, renderer.messages.s2c.length);
  for (let i = 0; i < n; i++) {
    if (renderer.messages.c2s[i]) out.push(renderer.messages.c2s[i]);
    if (renderer.messages.s2c[i]) out.push(renderer.messages.s2c[i]);
  }
  return out;
}

/** The expected messages, reduced to the fields a decoder produces (drops library-session extras). */
export function expectedMessages(capture: Capture): Rendered[] {
  const skip = new Set(['exchange', 'call', 'breezy_client_result', 'readv_ranges']);
  return capture.expected.messages.map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !skip.has(k))));
}

/** A deterministic PRNG (mulberry32) for reproducible random splits. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Split one buffer into pieces of random sizes (1..maxPiece). */
export function randomSplit(bytes: Uint8Array, rand: () => number, maxPiece: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(rand() * maxPiece);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}
