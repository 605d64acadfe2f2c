/**
 * `hpss export --pcapng` of an operation our proxy recorded (real brz through the proxy to
 * a real `brz serve`) is decoded by Debian's `tshark` and its own `bzr` dissector: one
 * request and one response per call recorded whole, in order, on one TCP stream per
 * connection; the messages a trace holds only the first 4 KiB of are marked by a packet comment.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startProxy, type RunningOwner } from '../../src/main/server';
import { writeTraceFile } from '../../src/main/trace/write-trace';
import { brz, type ScenarioEnv } from '../support/brz-scenario';
import { HPSS_BIN } from '../support/hpss-cli';
import { settle } from '../support/settle';
import { requireTool, startTestHosts, type TestHosts } from '../support/test-hosts';

let hosts: TestHosts;
let scratch: string;
let s: ScenarioEnv;
let proxy: RunningOwner;
const events: EngineEvent[] = [];

function serverMediums(): Set<string> {
  return new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.role === 'server' ? [e.mediumId] : [])));
}

beforeAll(async () => {
  requireTool('tshark', 'tshark');
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-export-'));
  s = { env: hosts.brzEnv(), work: join(scratch, 'work'), logDir: scratch };
  mkdirSync(s.work);
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0' }, bus, new IdSource());
  const url = proxy.urls[0];
  const b = join(s.work, 'b');
  expect((await brz(s, 'branch', ['branch', `${url}trunk`, b])).code).toBe(0);
  // A file larger than a trace records of a message (4 KiB), so the push's stream is cut in the trace.
  writeFileSync(join(b, 'big.txt'), Array.from({ length: 3000 }, (_, i) => `line ${i} ${(i * 7919) % 10007}\n`).join(''));
  expect((await brz(s, 'add', ['add', join(b, 'big.txt')])).code).toBe(0);
  expect((await brz(s, 'commit', ['commit', '-m', 'big', b])).code).toBe(0);
  expect((await brz(s, 'push', ['push', '-d', b, `${url}pushed-export`])).code).toBe(0);
  await settle(() => events.filter((e) => e.type === 'medium-closed' && serverMediums().has(e.mediumId)).length, 2);
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function hpss(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [HPSS_BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

/** Per TCP stream, tshark's bzr messages in order: "request" or "response S|E". */
function tsharkMessages(file: string): { streams: string[][]; comments: string[] } {
  const out = execFileSync('tshark', ['-r', file, '-d', 'tcp.port==4155,bzr', '-T', 'fields', '-E', 'occurrence=a', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'bzr.protocol_version', '-e', 'bzr.result', '-e', 'frame.comment'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const streams: string[][] = [];
  const comments: string[] = [];
  for (const line of out.trim().split('\n')) {
    const [stream, port, versions, results, comment] = line.split('\t');
    if (comment) comments.push(comment);
    if (!versions) continue;
    const n = versions.split(',').length;
    const list = (streams[Number(stream)] ??= []);
    const statuses = results ? results.split(',').map((x) => x.replace(/'/g, '')) : [];
    for (let i = 0; i < n; i++) list.push(port === '4155' ? `response ${statuses[i] ?? '?'}` : 'request');
  }
  return { streams, comments };
}

test('tshark decodes the exported pcapng as bzr: one request and one response per call recorded whole, the rest marked', async () => {
  const trace = join(scratch, 'proxied.jsonl');
  const server = serverMediums();
  writeTraceFile(trace, events, { source: 'test' });
  const out = join(scratch, 'proxied.pcapng');
  const r = await hpss(['export', '--pcapng', out, trace]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // Per server medium (the client's connection to the proxy), its calls' statuses in order.
  const expected: string[][] = [];
  const upstreams = events.filter((e) => e.type === 'medium-opened' && e.role === 'client').map((e) => e.type === 'medium-opened' && e.mediumId);
  for (const e of events) {
    if (e.type === 'medium-opened' && (server.has(e.mediumId) || upstreams.includes(e.mediumId))) expected.push([]);
  }
  // A message the trace holds only the first 4 KiB of is written with its rest missing:
  // tshark shows the hole and does not decode that message (its call has a comment).
  const order = events.flatMap((e) => (e.type === 'medium-opened' ? [e.mediumId] : []));
  const requestWhole = new Map(events.flatMap((e) => (e.type === 'call-started' ? [[e.callId, e.raw?.truncated === false] as const] : [])));
  for (const e of events) {
    if (e.type !== 'call-finished') continue;
    const list = expected[order.indexOf(e.mediumId)];
    if (requestWhole.get(e.callId)) list?.push('request');
    if (e.raw?.truncated === false) list?.push(`response ${e.status}`);
  }
  const seen = tsharkMessages(out);
  const truncated = events.filter((e) => (e.type === 'call-started' || e.type === 'call-finished') && e.raw?.truncated);
  expect(truncated.length).toBe(2); // the branch's fetched stream and the push's sent one
  expect(seen.comments.filter((c) => /^hpss: call /.test(c)).length).toBe(2);
  expect(r.stdout).toMatch(/\d+ not recorded whole \(see the packet comments\)/);
  expect(seen.comments.some((c) => /hpss: call c\d+ \(Repository\.insert_stream_1\.19\): request: 4096 of \d+ bytes recorded/.test(c))).toBe(true);
  expect(seen.streams).toEqual(expected.filter((list) => list.length > 0));
});

test('--calls exports only the calls asked for; an unknown call id is refused', async () => {
  const trace = join(scratch, 'some.jsonl');
  writeTraceFile(trace, events, { source: 'test' });
  const picked = events.flatMap((e) => (e.type === 'call-started' && (e.verb === 'Branch.lock_write' || e.verb === 'Branch.unlock') ? [e.callId] : []));
  expect(picked.length).toBeGreaterThanOrEqual(2);
  const out = join(scratch, 'some.pcapng');
  const r = await hpss(['export', '--pcapng', out, trace, '--calls', picked.join(',')]);
  expect(r.code).toBe(0);
  expect(tsharkMessages(out).streams.flat()).toEqual(picked.flatMap(() => ['request', 'response S']));
  const refused = await hpss(['export', '--pcapng', join(scratch, 'none.pcapng'), trace, '--calls', 'c999999']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/no call c999999 in/);
});
