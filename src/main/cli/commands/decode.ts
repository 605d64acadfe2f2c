/**
 * `hpss decode C2S_FILE [S2C_FILE] [--json]`: the messages of one recorded connection,
 * request i then response i. Files are read in 64 KiB chunks and bodies are only hashed,
 * so any size decodes in bounded memory. On malformed bytes: every message before the
 * fault is printed, then the error with its direction and byte offset; exit status 1.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { notProtocolBytes } from '../raw-bytes-check';
import { JSON_OPTION, optionsCommand } from './command';
import {
  ConnectionDecoder, HpssError, MessageRenderer, type Direction, type IncrementalHash, type RenderedMessage,
} from '../../../shared/protocol';

const USAGE = 'decode C2S_FILE [S2C_FILE] [--json]';
const READ_CHUNK = 64 * 1024;

interface DirectionResult {
  messages: RenderedMessage[];
  error: { dir: Direction; message: string } | null;
}

function sha256(): IncrementalHash {
  const h = createHash('sha256');
  return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
}

/** One direction of `decoder`, whole file, in chunks; an HpssError is kept as that direction's error. */
async function decodeFile(
  file: string,
  dir: Direction,
  decoder: ConnectionDecoder,
  result: DirectionResult,
): Promise<void> {
  const stream = dir === 'c2s' ? decoder.requests : decoder.responses;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) stream.feed(chunk as Buffer);
    stream.finish();
  } catch (err) {
    if (!(err instanceof HpssError)) throw err;
    result.error = { dir, message: err.message };
  }
}

async function decodeConnection(c2sFile: string, s2cFile: string | undefined): Promise<[DirectionResult, DirectionResult]> {
  const requests: DirectionResult = { messages: [], error: null };
  const responses: DirectionResult = { messages: [], error: null };
  const renderers = {
    c2s: new MessageRenderer('c2s', sha256, (m) => requests.messages.push(m)),
    s2c: new MessageRenderer('s2c', sha256, (m) => responses.messages.push(m)),
  };
  // All requests first: each queues what its response looks like.
  const decoder = new ConnectionDecoder((dir, e) => renderers[dir].onEvent(e));
  await decodeFile(c2sFile, 'c2s', decoder, requests);
  if (s2cFile === undefined) return [requests, responses];
  await decodeFile(s2cFile, 's2c', decoder, responses);
  // Responses to requests we could not decode are not an s2c fault.
  if (requests.error && responses.error?.message.includes('no request to answer')) responses.error = null;
  return [requests, responses];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The capture form, plus `exchange`; `status` on every line (null for requests) for a fixed schema. */
function jsonLine(index: number, m: RenderedMessage): string {
  const { dir, kind, protocol, offset, length, headers, status = null, args, body, ...rest } = m;
  return JSON.stringify({ exchange: index, dir, kind, protocol, offset, length, headers, status, args, body, ...rest });
}

function humanLine(index: number, m: RenderedMessage): string {
  const args = Array.isArray(m.args) ? m.args : [];
  const tuple = (values: unknown[]): string => `(${values.map((v) => JSON.stringify(v)).join(', ')})`;
  const shown = m.kind === 'request' ? `${text(args[0] ?? '')} ${tuple(args.slice(1))}` : tuple(args);
  const fields = [
    String(index).padStart(3),
    String(m.dir),
    `v${m.protocol}`,
    String(m.kind).padEnd(8),
    m.kind === 'response' ? (m.status ?? '-') : String(m.verb_kind ?? ''),
    shown.length > 160 ? shown.slice(0, 157) + '...' : shown,
  ];
  const body = m.body as { length: number; parts: number; encoding?: string } | null;
  if (body) fields.push(`| body ${body.length} B in ${body.parts} part${body.parts === 1 ? '' : 's'}${body.encoding ? ` (${body.encoding})` : ''}`);
  if (m.post_body_status) fields.push(`| then ${String(m.post_body_status)} ${tuple(Array.isArray(m.post_body_args) ? m.post_body_args : [])}`);
  return fields.join(' ');
}

export const decodeCommand = optionsCommand({
  name: 'decode',
  usage: USAGE,
  summary: 'decode the two directions of one recorded connection',
  options: JSON_OPTION,
  async run(parsed, usageMistake) {
    const [c2sFile, s2cFile, ...extra] = parsed.positionals;
    if (!c2sFile || extra.length > 0) return usageMistake();
    for (const [file, dir] of [[c2sFile, 'c2s'], [s2cFile, 's2c']] as const) {
      const refused = file === undefined ? null : notProtocolBytes(file, dir);
      if (refused) {
        process.stderr.write(`hpss decode: ${refused}\n`);
        return 1;
      }
    }
    const [requests, responses] = await decodeConnection(c2sFile, s2cFile);
    const out: string[] = [];
    const n = Math.max(requests.messages.length, responses.messages.length);
    for (let i = 0; i < n; i++) {
      for (const m of [requests.messages[i], responses.messages[i]]) {
        if (!m) continue;
        out.push(parsed.values.json ? jsonLine(i, m) : humanLine(i, m));
      }
    }
    if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
    let status = 0;
    for (const r of [requests, responses]) {
      if (!r.error) continue;
      process.stderr.write(`hpss decode: ${r.error.dir}: ${r.error.message}\n`);
      status = 1;
    }
    return status;
  },
});
