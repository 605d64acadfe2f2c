/**
 * The built-in backend's answers in every protocol version a client may speak, through the
 * engine's server: v3, v2 (bulk and streamed bodies need the length the backend gives) and
 * v1; the same bytes come back whatever the framing, a 3 MiB body included.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ProtocolVersion } from '../../../../../src/shared/protocol';
import { EventBus, IdSource } from '../../../../../src/main/bus/event-bus';
import { SmartClient } from '../../../../../src/main/client/smart-client';
import { TcpClientMedium } from '../../../../../src/main/medium/tcp-client-medium';
import { startServer, type RunningOwner } from '../../../../../src/main/server';

let dir: string;
let server: RunningOwner;
const big = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 13) & 0xff));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-builtin-protocols-'));
  writeFileSync(join(dir, 'big'), big);
  server = await startServer({ backend: 'builtin', dir, listen: '127.0.0.1:0', allowWrites: true }, new EventBus(), new IdSource());
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.each([3, 2, 1] as ProtocolVersion[])('protocol v%i: hello, get, readv, stat, put and an error answer', async (version) => {
  const bus = new EventBus();
  const ids = new IdSource();
  const medium = new TcpClientMedium({ bus, ids, host: '127.0.0.1', port: Number(new URL(server.urls[0]).port) });
  medium.protocolVersion = version;
  const client = new SmartClient(medium, { bus, ids });
  const text = (args: unknown[]) => args.map((a) => Buffer.from(a as Uint8Array).toString());
  try {
    expect(text((await client.call('hello')).args)).toEqual(['ok', '2']);
    const got = await client.call('get', '/big');
    expect(got.protocol).toBe(version);
    expect(Buffer.compare(Buffer.from(got.body ?? []), big)).toBe(0);
    const readv = await client.callWithBodyReadv('readv', ['/big'], [[5, 10], [2_000_000, 3], [0, 1]]);
    expect(Buffer.from(readv.body ?? [])).toEqual(Buffer.concat([big.subarray(5, 15), big.subarray(2_000_000, 2_000_003), big.subarray(0, 1)]));
    expect(text((await client.call('stat', '/big')).args)).toEqual(['stat', String(big.length), `0o${statSync(join(dir, 'big')).mode.toString(8)}`]);
    expect(text((await client.callWithBody('put', [`/v${version}`, ''], Buffer.from(`v${version}`))).args)).toEqual(['ok']);
    const missing = await client.call('get', '/nope');
    expect(missing.status).toBe('E');
    expect(text(missing.args)).toEqual(['NoSuchFile', join(dir, 'nope')]);
  } finally {
    medium.close();
  }
});
