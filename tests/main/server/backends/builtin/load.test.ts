/**
 * The built-in backend's server under load: 300 clients connected at once, each doing
 * `hello` and a small `get` over its own TCP connection, are all answered, correctly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus, IdSource } from '../../../../../src/main/bus/event-bus';
import { SmartClient } from '../../../../../src/main/client/smart-client';
import { TcpClientMedium } from '../../../../../src/main/medium/tcp-client-medium';
import { startServer, type RunningOwner } from '../../../../../src/main/server';

const CLIENTS = 300;
let dir: string;
let server: RunningOwner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-builtin-load-'));
  writeFileSync(join(dir, 'small.txt'), 'a small file\n');
  server = await startServer({ backend: 'builtin', dir, listen: '127.0.0.1:0', allowWrites: false }, new EventBus(), new IdSource());
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(`${CLIENTS} concurrent clients each get hello and a small file answered`, async () => {
  const port = Number(new URL(server.urls[0]).port);
  const bus = new EventBus();
  const ids = new IdSource();
  const one = async (): Promise<string> => {
    const medium = new TcpClientMedium({ bus, ids, host: '127.0.0.1', port, connectTimeoutMs: 20_000 });
    const client = new SmartClient(medium, { bus, ids });
    try {
      const hello = await client.call('hello');
      const got = await client.call('get', '/small.txt');
      return `${Buffer.from(hello.args[1] as Uint8Array).toString()} ${Buffer.from(got.body ?? []).toString()}`;
    } finally {
      medium.close();
    }
  };
  const answers = await Promise.all(Array.from({ length: CLIENTS }, one));
  expect(answers.filter((a) => a === '2 a small file\n').length).toBe(CLIENTS);
}, 120_000);
