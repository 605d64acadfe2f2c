/**
 * A real `brz -Dhpss` log of branch, push and pull (through our proxy to a real `brz
 * serve`) imports with every call each brz process reported (`HPSS calls: N (M vfs)`),
 * and with the verbs and statuses the proxy recorded for the same connections.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startProxy, type RunningOwner } from '../../src/main/server';
import { importBrzLog } from '../../src/shared/interchange';
import { settle } from '../support/settle';
import { startTestHosts, type TestHosts } from '../support/test-hosts';

let hosts: TestHosts;
let scratch: string;
let proxy: RunningOwner;
let log: string;
const events: EngineEvent[] = [];

/** brz with -Dhpss (plus `flags`), its log appended to one file under a private HOME. */
function brz(args: string[], flags: string[] = []): Promise<number> {
  const env = { ...hosts.brzEnv(), HOME: join(scratch, 'home'), BRZ_LOG: log };
  return new Promise((resolve) => {
    execFile('brz', ['-Dhpss', ...flags, ...args], { cwd: scratch, env, timeout: 60_000 }, (err) => resolve(err ? (typeof err.code === 'number' ? err.code : 1) : 0));
  });
}

function serverMediumsClosed(): number {
  const server = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.role === 'server' ? [e.mediumId] : [])));
  return events.filter((e) => e.type === 'medium-closed' && server.has(e.mediumId)).length;
}

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-brzlog-'));
  mkdirSync(join(scratch, 'home'));
  log = join(scratch, 'brz.log');
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0' }, bus, new IdSource());
  const url = proxy.urls[0];
  const b = join(scratch, 'b');
  expect(await brz(['branch', `${url}trunk`, b], ['-Dhpssdetail'])).toBe(0);
  writeFileSync(join(b, 'hello.txt'), 'changed for the log\n');
  expect(await brz(['commit', '-m', 'for the log', b])).toBe(0);
  expect(await brz(['push', '-d', b, `${url}pushed-log`])).toBe(0);
  expect(await brz(['pull', '-d', b, `${url}pushed-log`])).toBe(0);
  expect(await brz(['log', `${url}missing-branch`])).not.toBe(0);
  await settle(serverMediumsClosed, 4);
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('every call each brz process reported is imported, per medium, with no problem', () => {
  const imported = importBrzLog(readFileSync(log, 'utf8'));
  expect(imported.problems).toEqual([]);
  const reporting = imported.processes.filter((p) => p.reported.length > 0);
  expect(reporting.map((p) => p.argv)).toEqual([
    expect.stringContaining("'branch'"),
    expect.stringContaining("'push'"),
    expect.stringContaining("'pull'"),
    expect.stringContaining("'log'"),
  ]);
  const reportedTotal = reporting.reduce((n, p) => n + p.reported.reduce((m, r) => m + r.calls, 0), 0);
  const started = imported.events.filter((e) => e.type === 'call-started');
  expect(started.length).toBe(reportedTotal);
  expect(reportedTotal).toBeGreaterThan(20);
  const closed = imported.events.flatMap((e) => (e.type === 'medium-closed' ? [`${e.calls} (${e.vfsCalls} vfs)`] : []));
  expect(closed).toEqual(reporting.flatMap((p) => p.reported.map((r) => `${r.calls} (${r.vfsCalls} vfs)`)));
  // Every call finished with a status and a duration from the log's times.
  const finished = imported.events.filter((e) => e.type === 'call-finished');
  expect(finished.length).toBe(started.length);
  expect(finished.every((e) => e.type === 'call-finished' && e.status !== null && e.durationMs >= 0 && !e.error)).toBe(true);
});

test('the imported calls have the verbs, arguments and statuses the proxy recorded for the same connections', () => {
  const imported = importBrzLog(readFileSync(log, 'utf8'));
  const calls = (list: EngineEvent[], role: 'client' | 'server') => {
    const mine = new Set(list.flatMap((e) => (e.type === 'medium-opened' && e.role === role ? [e.mediumId] : [])));
    const started = new Map<string, string>();
    const out: string[] = [];
    for (const e of list) {
      if (e.type === 'call-started' && mine.has(e.mediumId)) started.set(e.callId, `${e.verb} ${JSON.stringify(e.args)}`);
      if (e.type === 'call-finished' && mine.has(e.mediumId)) out.push(`${started.get(e.callId)} → ${e.status} ${JSON.stringify(e.args)}`);
    }
    return out;
  };
  const fromLog = calls(imported.events, 'client');
  expect(fromLog).toEqual(calls(events, 'server'));
  expect(fromLog.some((c) => c.includes('→ E'))).toBe(true);
  const body = imported.events.find((e) => e.type === 'call-finished' && e.verb === 'Repository.get_stream_1.19');
  expect(body?.type === 'call-finished' && body.responseBody?.parts).toBeGreaterThan(1);
});
