/**
 * Driving a BackendConnection directly: `ServerCall`s built as the connection core builds
 * them, answers read whole (a streamed body gathered), and the same request sent to Breezy's
 * own server (`brz serve --inet`) through our SmartClient, in one comparable shape.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isVfsVerb, utf8Bytes, verbKind, type BValue, type ProtocolVersion } from '../../src/shared/protocol';
import { ByteStream } from '../../src/main/server/core/byte-stream';
import { isRelayed, StreamedBodyError, type Answer, type ServerCall } from '../../src/main/server/core/server-call';
import type { BackendConnection } from '../../src/main/server/backends/backend';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { SmartClient } from '../../src/main/client/smart-client';
import { PipesClientMedium } from '../../src/main/medium/pipes-client-medium';

/** A request argument: text (sent as UTF-8), bytes, an int or a tuple of them (v3 bencodes both as brz sends them). */
export type Arg = string | Uint8Array | number | Arg[];

/** An argument as the protocol carries it: text as UTF-8 bytes, tuples item by item. */
function toBValue(arg: Arg): BValue {
  if (typeof arg === 'string') return utf8Bytes(arg);
  return Array.isArray(arg) ? arg.map(toBValue) : arg;
}

let nextCall = 0;

export function serverCall(verb: string, args: readonly Arg[], opts: { body?: Uint8Array | Uint8Array[]; protocol?: ProtocolVersion } = {}): ServerCall {
  const chunks = opts.body === undefined ? [] : Array.isArray(opts.body) ? opts.body : [opts.body];
  return {
    callId: `t${++nextCall}`,
    protocol: opts.protocol ?? 3,
    verb,
    args: args.map(toBValue),
    verbKind: verbKind(verb),
    vfs: isVfsVerb(verb),
    body: ByteStream.of(...chunks),
    wire: ByteStream.EMPTY,
    state: new Map(),
  };
}

/** An answer as both servers can be compared: args and body as text (latin1, byte exact). */
export interface ComparableAnswer {
  status: 'S' | 'E';
  args: string[];
  body: string | null;
  /** An error raised after part of a streamed body. */
  postBodyError?: string[];
}

/** Text of an answer arg: bytes as latin1, a nested tuple as `(a, b)` of its items (Buffer or Uint8Array alike). */
const asText = (v: BValue | string): string =>
  typeof v === 'string'
    ? Buffer.from(v, 'utf8').toString('latin1')
    : v instanceof Uint8Array
      ? Buffer.from(v).toString('latin1')
      : Array.isArray(v)
        ? `(${v.map(asText).join(', ')})`
        : JSON.stringify(v);

export async function readAnswer(answer: Answer): Promise<ComparableAnswer> {
  if (isRelayed(answer)) throw new Error('a built-in backend never relays');
  const out: ComparableAnswer = { status: answer.status as 'S' | 'E', args: answer.args.map(asText), body: null };
  if (answer.body instanceof Uint8Array) out.body = Buffer.from(answer.body).toString('latin1');
  else if (answer.body) {
    const parts: Buffer[] = [];
    try {
      for await (const piece of answer.body.pieces) parts.push(Buffer.from(piece));
    } catch (err) {
      if (!(err instanceof StreamedBodyError)) throw err;
      out.postBodyError = err.args.map(asText);
    }
    out.body = Buffer.concat(parts).toString('latin1');
  }
  return out;
}

export async function ask(conn: BackendConnection, verb: string, args: readonly Arg[], body?: Uint8Array): Promise<ComparableAnswer> {
  return readAnswer(await conn.handle(serverCall(verb, args, { body })));
}

/** Breezy's own server over pipes, asked through our SmartClient. */
export class BreezyPeer {
  private readonly medium: PipesClientMedium;
  private readonly client: SmartClient;

  constructor(dir: string, allowWrites: boolean, scratch: string) {
    const bus = new EventBus();
    const ids = new IdSource();
    mkdirSync(join(scratch, 'brz-home'), { recursive: true });
    const env = { ...process.env, BRZ_HOME: join(scratch, 'brz-home'), BRZ_LOG: join(scratch, 'brz.log') };
    this.medium = new PipesClientMedium({ bus, ids, directory: dir, allowWrites, env });
    this.client = new SmartClient(this.medium, { bus, ids });
  }

  async ask(verb: string, args: readonly Arg[], body?: Uint8Array): Promise<ComparableAnswer> {
    const wire = args.map(toBValue);
    const res = body === undefined ? await this.client.call(verb, ...wire) : await this.client.callWithBody(verb, wire, body);
    const out: ComparableAnswer = { status: res.status as 'S' | 'E', args: res.args.map(asText), body: res.body ? Buffer.from(res.body).toString('latin1') : null };
    if (res.postBodyError) out.postBodyError = res.postBodyError.map(asText);
    return out;
  }

  close(): void {
    this.medium.close();
  }
}
