/**
 * `hpss serve` against hostile input, over real sockets with real brz behind it: no path
 * spelling reaches outside the served root on either backend (Breezy's own server lets
 * `..%2f` and symlinks out; we must not), a connection past the cap is refused with the
 * reason, a bounded pool of brz processes serves more connections than it has processes, a
 * flood of `hello`s costs no Python process, and a well-behaved brz is served all along.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import type { ServerBackendId } from '../../src/shared/server-backends';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { sendCall } from '../../src/main/engine/client-call';
import { startServer, type RunningOwner } from '../../src/main/server';
import { requireTool } from '../support/test-hosts';

const run = promisify(execFile);
const bus = new EventBus();
const events: EngineEvent[] = [];
bus.on((e) => events.push(e));
const ids = new IdSource();
let scratch: string;
let root: string;
const servers: RunningOwner[] = [];

beforeAll(() => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-hardening-'));
  root = join(scratch, 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'inside.txt'), 'inside\n');
  writeFileSync(join(scratch, 'secret.txt'), 'SECRET-OUTSIDE\n');
  mkdirSync(join(scratch, 'outside-dir'));
  symlinkSync(join(scratch, 'secret.txt'), join(root, 'link-out'));
  symlinkSync(join(scratch, 'outside-dir'), join(root, 'dir-out'));
});

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function serve(backend: ServerBackendId, opts: { allowWrites?: boolean; maxConnections?: number; maxProcesses?: number } = {}): Promise<string> {
  const server = await startServer({ backend, dir: root, listen: '127.0.0.1:0', allowWrites: opts.allowWrites ?? false, maxConnections: opts.maxConnections, maxProcesses: opts.maxProcesses }, bus, ids);
  servers.push(server);
  return server.urls[0];
}

const call = (url: string, verb: string, args: string[], body?: string) =>
  sendCall({ url, verb, args, ...(body !== undefined && { bodyBase64: Buffer.from(body).toString('base64') }) }, { refuseVfs: false }, bus, ids);

/** Every way we know to spell "outside the root", as a path argument. */
const ESCAPES = [
  '/../secret.txt',
  'sub/..%2f..%2fsecret.txt',
  '%2e%2e/secret.txt',
  '%2e%2e%2fsecret.txt',
  '%252e%252e%252fsecret.txt',
  '..%252f..%252fsecret.txt',
  'sub/../../secret.txt',
  '..\\secret.txt',
  `${'%2e%2e%2f'.repeat(40)}etc/passwd`,
  'link-out',
  'dir-out/x',
  `sub/${'a/'.repeat(2000)}..%2f`.slice(0, 8000),
];

for (const backend of ['breezy', 'builtin'] as const) {
  test(`${backend}: no spelling of a path outside the root is read, listed or written, and the server keeps serving`, async () => {
    const url = await serve(backend, { allowWrites: true });
    for (const path of ESCAPES) {
      for (const [verb, args, body] of [
        ['get', [path]],
        ['has', [path]],
        ['stat', [path]],
        ['list_dir', [path]],
        ['readv', [path], '0,5'],
        ['put', [path, ''], 'pwned\n'],
        ['append', [path, ''], 'pwned\n'],
        ['mkdir', [path, '']],
        ['delete', [path]],
        ['rename', ['victim.txt', path]],
        ['move', ['victim.txt', path]],
      ] as [string, string[], string?][]) {
        writeFileSync(join(root, 'victim.txt'), 'victim\n');
        const r = await call(url, verb, args, body);
        const shown = `${verb} ${path.slice(0, 60)}: ${JSON.stringify(r.args).slice(0, 200)}`;
        // A spelling that decodes inside the root (a literal backslash is a name character) may
        // succeed; nothing from outside ever comes back.
        expect(Buffer.from(r.bodyBase64 ?? '', 'base64').toString(), shown).not.toContain('SECRET-OUTSIDE');
        expect(JSON.stringify(r.args), shown).not.toContain('SECRET-OUTSIDE');
      }
    }
    // Nothing outside changed or appeared.
    const { readFileSync, readdirSync } = await import('node:fs');
    expect(readFileSync(join(scratch, 'secret.txt'), 'utf8')).toBe('SECRET-OUTSIDE\n');
    expect(readdirSync(join(scratch, 'outside-dir'))).toEqual([]);
    expect(readdirSync(scratch).sort()).toEqual(['outside-dir', 'root', 'secret.txt']);
    expect(readdirSync('/etc').includes('pwned')).toBe(false);
    expect(readFileSync(join(root, 'inside.txt'), 'utf8')).toBe('inside\n');
    const refusals = events.filter((e) => e.type === 'policy-action' && e.policy === 'confinement');
    expect(refusals.length).toBeGreaterThan(ESCAPES.length);
    expect(refusals.every((e) => e.type === 'policy-action' && typeof e.callId === 'string')).toBe(true);
    const inside = await call(url, 'get', ['/inside.txt']);
    expect(Buffer.from(inside.bodyBase64 ?? '', 'base64').toString()).toBe('inside\n');
  }, 120_000);
}

test('a client past the connection cap is told why; the connections under it are served', async () => {
  const url = await serve('breezy', { maxConnections: 3 });
  const port = Number(/:(\d+)\/$/.exec(url)?.[1]);
  const held: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    held.push(s);
  }
  const refused = await call(url, 'hello', []);
  expect(refused).toMatchObject({ status: 'E', args: ['error', 'hpss: the server has reached its limit of 3 connections; try again later'] });
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 200));
  expect((await call(url, 'hello', [])).args).toEqual(['ok', '2']);
});

test('300 concurrent hellos are all answered without a Python process, while a real brz log is served', async () => {
  const url = await serve('breezy', { maxProcesses: 2 });
  const port = Number(/:(\d+)\/$/.exec(url)?.[1]);
  const repo = join(root, 'trunk');
  await run('brz', ['init', '-q', repo], { env: { ...process.env, BRZ_LOG: '/dev/null' } });
  const before = events.filter((e) => e.type === 'medium-opened' && e.kind === 'pipes-client').length;
  const hello = Buffer.from('bzr message 3 (bzr 1.6)\n\x00\x00\x00\x1cd16:Software version5:3.3.2es\x00\x00\x00\x09l5:helloee', 'latin1');
  const one = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      const got: Buffer[] = [];
      s.on('data', (d) => got.push(d));
      s.on('error', reject);
      s.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
      s.end(hello);
    });
  const flood = Promise.all(Array.from({ length: 300 }, one));
  const log = run('brz', ['log', `${url}trunk`], { env: { ...process.env, BRZ_LOG: '/dev/null' } });
  const answers = await flood;
  expect(answers.filter((a) => a.includes('l2:ok1:2e')).length).toBe(300);
  await log;
  const spawned = events.filter((e) => e.type === 'medium-opened' && e.kind === 'pipes-client').length - before;
  // The flood asked only hello: only brz log's connections took a process.
  expect(spawned).toBeLessThanOrEqual(3);
}, 120_000);

test('with one brz process allowed, concurrent operations queue for it and all succeed', async () => {
  const url = await serve('breezy', { maxProcesses: 1 });
  await run('brz', ['init', '-q', join(root, 'queued')], { env: { ...process.env, BRZ_LOG: '/dev/null' } });
  const logs = await Promise.all([1, 2, 3].map(() => run('brz', ['log', `${url}queued`], { env: { ...process.env, BRZ_LOG: '/dev/null' } })));
  expect(logs.length).toBe(3);
}, 120_000);
