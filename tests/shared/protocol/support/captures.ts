/** Loads the captures in tests/fixtures/captures and renders decoded messages as their .expected.json does. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '../../../../src/shared/events';
import {
  ConnectionDecoder, MessageRenderer, type Direction, type IncrementalHash, type RenderedMessage,
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

type Rendered = RenderedMessage;

function nodeSha256(): IncrementalHash {
  const h = createHash('sha256');
  return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
}

/** Decode a capture fed as the given chunk sequence; returns messages in exchange order. */
export function decodeChunks(chunks: { dir: Direction; bytes: Uint8Array }[]): Rendered[] {
  const messages: { c2s: Rendered[]; s2c: Rendered[] } = { c2s: [], s2c: [] };
  const renderers = {
    c2s: new MessageRenderer('c2s', nodeSha256, (m) => messages.c2s.push(m)),
    s2c: new MessageRenderer('s2c', nodeSha256, (m) => messages.s2c.push(m)),
  };
  const decoder = new ConnectionDecoder((dir, e) => renderers[dir].onEvent(e));
  for (const c of chunks) {
    if (c.dir === 'c2s') decoder.feedRequestBytes(c.bytes);
    else decoder.feedResponseBytes(c.bytes);
  }
  decoder.finish();
  const out: Rendered[] = [];
  const n = Math.max(messages.c2s.length, messages.s2c.length);
  for (let i = 0; i < n; i++) {
    if (messages.c2s[i]) out.push(messages.c2s[i]);
    if (messages.s2c[i]) out.push(messages.s2c[i]);
  }
  return out;
}

/** The expected messages, reduced to the fields a decoder produces (drops library-session extras). */
export function expectedMessages(capture: Capture): Rendered[] {
  const skip = new Set(['exchange', 'call', 'breezy_client_result', 'readv_ranges']);
  return capture.expected.messages.map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !skip.has(k))));
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
