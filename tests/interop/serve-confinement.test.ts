/**
 * `hpss serve` without --allow-writes is read-only and never serves outside its root:
 * writes and paths above the root get precise error answers on the wire, and the same
 * connection and the server keep serving.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sendCall } from '../../src/main/engine/client-call';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startServer, type RunningOwner } from '../../src/main/server';
import { requireTool } from '../support/test-hosts';

const bus = new EventBus();
const ids = new IdSource();
let root: string;
let server: RunningOwner;

beforeAll(async () => {
  requireTool('brz', 'brz');
  root = mkdtempSync(join(tmpdir(), 'hpss-root-'));
  writeFileSync(join(root, 'inside.txt'), 'inside\n');
  server = await startServer({ backend: 'breezy', dir: root, listen: '127.0.0.1:0', allowWrites: false }, bus, ids);
});

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

const call = (verb: string, args: string[], body?: string) =>
  sendCall({ url: server.urls[0], verb, args, ...(body !== undefined && { bodyBase64: Buffer.from(body).toString('base64') }) }, { refuseVfs: false }, bus, ids);
const text = (b64: string | null) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

test('a path above the served root is refused, naming the join it refused', async () => {
  const escaped = await call('get', ['/../../etc/passwd']);
  expect(escaped.status).toBe('E');
  expect(String(escaped.args[escaped.args.length - 1])).toMatch(/Cannot go above root/);
  expect(escaped.bodyBase64).toBeNull();
});

test('without --allow-writes a put is refused as ReadOnlyError and nothing is written', async () => {
  const put = await call('put', ['/written.txt', ''], 'should not land\n');
  expect(put).toMatchObject({ status: 'E', args: ['ReadOnlyError'] });
  const has = await call('has', ['/written.txt']);
  expect(has.args).toEqual(['no']);
});

test('after both refusals the server still serves files inside its root', async () => {
  const inside = await call('get', ['/inside.txt']);
  expect(inside.status).toBe('S');
  expect(text(inside.bodyBase64)).toBe('inside\n');
});
