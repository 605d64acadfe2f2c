/**
 * A minimal TCP front for a BackendConnection, so real brz can drive a backend before the
 * server core serves it: requests decoded with our decoders, one ServerCall each (its body
 * gathered first), answers encoded in the request's version, strictly in order. Tests only:
 * no policies, no events, whole bodies.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encodeResponse, isVfsVerb, MessageCollector, RequestStreamDecoder, verbInfo, verbKind, type BValue } from '../../src/shared/protocol';
import { ByteStream } from '../../src/main/server/core/byte-stream';
import { isRelayed, StreamedBodyError, type Answer, type ServerCall } from '../../src/main/server/core/server-call';
import type { Backend } from '../../src/main/server/backends/backend';

export interface RunningHarness {
  url: string;
  close(): Promise<void>;
}

const text = (v: BValue | string): BValue => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

async function encode(answer: Answer, protocol: 1 | 2 | 3, verb: string): Promise<Uint8Array> {
  if (isRelayed(answer)) throw new Error('the harness serves local answers only');
  const args = answer.args.map(text);
  let body: Uint8Array | undefined;
  let postBodyError: BValue[] | undefined;
  if (answer.body instanceof Uint8Array) body = answer.body;
  else if (answer.body) {
    const pieces: Buffer[] = [];
    try {
      for await (const piece of answer.body.pieces) pieces.push(Buffer.from(piece));
    } catch (err) {
      if (!(err instanceof StreamedBodyError)) throw err;
      postBodyError = err.args.map(text);
    }
    body = Buffer.concat(pieces);
  }
  const framing = verbInfo(verb)?.v2ResponseBody ?? 'none';
  if (protocol === 3) return encodeResponse({ protocol, status: answer.status, args, body, postBodyError });
  if (answer.status === 'S' && framing === 'chunked' && protocol === 2) return encodeResponse({ protocol, status: 'S', args, bodyStream: body ? [body] : [] });
  const withBody = answer.status === 'S' && framing === 'bulk';
  return encodeResponse({ protocol, status: answer.status, args, body: withBody ? (body ?? new Uint8Array(0)) : undefined });
}

function serveSocket(socket: Socket, backend: Backend): void {
  const conn = backend.open({
    mediumId: 'harness',
    peer: `${socket.remoteAddress}:${socket.remotePort}`,
    bus: undefined as never,
    ids: undefined as never,
    closeClient: () => socket.destroy(),
  });
  const state = new Map<string, unknown>();
  let queue = Promise.resolve();
  let n = 0;
  const decoder = new RequestStreamDecoder(
    new MessageCollector((message) => {
      const [verbBytes, ...args] = message.summary.args;
      const verb = Buffer.from(verbBytes as Uint8Array).toString('utf8');
      const protocol = message.summary.protocol;
      const call: ServerCall = {
        callId: `h${++n}`, protocol, verb, args, verbKind: verbKind(verb), vfs: isVfsVerb(verb),
        body: message.body ? ByteStream.of(message.body) : ByteStream.empty(), wire: ByteStream.empty(), state,
      };
      const answered = Promise.resolve(conn.handle(call));
      queue = queue.then(async () => {
        const bytes = await encode(await answered, protocol, verb);
        if (!socket.destroyed) socket.write(bytes);
      });
      queue.catch((err: unknown) => {
        socket.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    }, { maxBodyBytes: 1 << 30 }).onEvent,
  );
  socket.on('data', (chunk: Buffer) => {
    try {
      decoder.feed(chunk);
    } catch (err) {
      socket.destroy(err as Error);
    }
  });
  socket.on('close', () => conn.close());
  socket.on('error', () => undefined);
}

export async function startHarness(backend: Backend): Promise<RunningHarness> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveSocket(socket, backend);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `bzr://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
