/**
 * A real `tcpdump` capture of real brz operations through our proxy imports to the calls
 * the proxy recorded for the same connections: verbs and statuses in order, per connection.
 * Damaged captures (cut short, segments dropped by Wireshark's `editcap`) import what can
 * be decoded and name what could not.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startProxy, type RunningOwner } from '../../src/main/server';
import { CaptureImporter, type CaptureImport } from '../../src/shared/interchange';
import { brz, type ScenarioEnv } from '../support/brz-scenario';
import { HPSS_BIN } from '../support/hpss-cli';
import { settle } from '../support/settle';
import { captureLoopback } from '../support/tcpdump';
import { requireTool, startTestHosts, type TestHosts } from '../support/test-hosts';

let hosts: TestHosts;
let scratch: string;
let s: ScenarioEnv;
let proxy: RunningOwner;
let capture: string;
const events: EngineEvent[] = [];

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-capture-'));
  s = { env: hosts.brzEnv(), work: join(scratch, 'work'), logDir: scratch };
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0' }, bus, new IdSource());
  const url = proxy.urls[0];
  const port = Number(new URL(url).port);
  capture = join(scratch, 'push.pcap');
  const dump = await captureLoopback(port, capture, { pcapng: true });
  try {
    mkdirSync(s.work, { recursive: true });
    const b = join(s.work, 'b');
    expect((await brz(s, 'branch', ['branch', `${url}trunk`, b])).code).toBe(0);
    writeFileSync(join(b, 'hello.txt'), 'changed for the capture\n');
    expect((await brz(s, 'commit', ['commit', '-m', 'for the capture', b])).code).toBe(0);
    expect((await brz(s, 'push', ['push', '-d', b, `${url}pushed-capture`])).code).toBe(0);
    expect((await brz(s, 'log', ['log', `${url}no-such-branch`])).code).not.toBe(0);
    await settle(() => closedServerMediums().length, 3);
    await dump.stop({ what: 'every call and close the proxy recorded', holds: (bytes) => sameCalls(importBytes(bytes).events) });
  } finally {
    await dump.stop();
  }
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function closedServerMediums(): string[] {
  const server = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.role === 'server' ? [e.mediumId] : [])));
  return events.flatMap((e) => (e.type === 'medium-closed' && server.has(e.mediumId) ? [e.mediumId] : []));
}

/** Per server medium, in order of opening: "verb status" of each call, in order. */
function callsPerMedium(list: EngineEvent[], onlyServer = true): string[][] {
  const order: string[] = [];
  const calls = new Map<string, string[]>();
  const verbs = new Map<string, string>();
  for (const e of list) {
    if (e.type === 'medium-opened' && (!onlyServer || e.role === 'server')) {
      order.push(e.mediumId);
      calls.set(e.mediumId, []);
    } else if (e.type === 'call-started' && calls.has(e.mediumId)) verbs.set(e.callId, e.verb);
    else if (e.type === 'call-finished' && calls.has(e.mediumId)) calls.get(e.mediumId)?.push(`${verbs.get(e.callId)} ${e.error ? `error: ${e.error.kind}` : e.status}`);
  }
  return order.map((id) => calls.get(id) ?? []);
}

/** Whether `list` holds the calls the proxy recorded, per medium, and as many closed mediums. */
function sameCalls(list: EngineEvent[]): boolean {
  const closed = list.filter((e) => e.type === 'medium-closed').length;
  return closed === closedServerMediums().length && JSON.stringify(callsPerMedium(list)) === JSON.stringify(callsPerMedium(events));
}

function importFile(file: string, chunk = 65536): CaptureImport {
  return importBytes(readFileSync(file), chunk);
}

function importBytes(bytes: Buffer, chunk = 65536): CaptureImport {
  const importer = new CaptureImporter();
  for (let at = 0; at < bytes.length; at += chunk) importer.feed(bytes.subarray(at, at + chunk));
  return importer.finish();
}

test('a tcpdump capture of brz branch, push and a failing log through the proxy imports to the calls the proxy recorded', () => {
  const recorded = callsPerMedium(events);
  expect(recorded.length).toBeGreaterThanOrEqual(3);
  expect(recorded.flat()).toContain('Branch.lock_write S');
  expect(recorded.flat().some((c) => c.endsWith(' E'))).toBe(true);
  const imported = importFile(capture, 1000);
  expect(imported.format).toBe('pcap');
  expect(imported.problems).toEqual([]);
  expect(imported.hpssConnections).toBe(recorded.length);
  expect(callsPerMedium(imported.events)).toEqual(recorded);
  // The capture's own times, in order, and every medium closed with brz's call counts.
  const first = imported.events[0];
  expect(Math.abs(first.t - statSync(capture).mtimeMs)).toBeLessThan(120_000);
  expect(imported.events.every((e, i) => i === 0 || e.t >= imported.events[i - 1].t)).toBe(true);
  const closed = imported.events.filter((e) => e.type === 'medium-closed');
  const proxyClosed = events.filter((e) => e.type === 'medium-closed' && closedServerMediums().includes(e.mediumId));
  expect(closed.map((e) => e.type === 'medium-closed' && e.calls)).toEqual(proxyClosed.map((e) => e.type === 'medium-closed' && e.calls));
});

test('the imported calls carry the wire bytes the proxy recorded: the same raw prefix, lengths and headers', () => {
  const imported = importFile(capture);
  const wire = (list: EngineEvent[]) =>
    list.flatMap((e) => (e.type === 'call-started' || e.type === 'call-finished' ? [[e.type, e.raw?.base64, e.raw?.length, e.headers]] : []));
  const server = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.role === 'server' ? [e.mediumId] : [])));
  const ours = events.filter((e) => 'mediumId' in e && e.mediumId !== undefined && server.has(e.mediumId));
  expect(wire(imported.events)).toEqual(wire(ours));
});

test('a capture cut short imports the calls before the cut and says the file was cut', () => {
  const whole = callsPerMedium(importFile(capture).events).flat();
  const cut = join(scratch, 'cut.pcap');
  const bytes = readFileSync(capture);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const imported = importFile(cut);
  expect(imported.problems.join('\n')).toMatch(/cut short/);
  const calls = callsPerMedium(imported.events).flat();
  expect(calls.length).toBeGreaterThan(3);
  expect(calls.length).toBeLessThan(whole.length);
  // Every call answered before the cut is as it was; the one cut off ends with an error.
  const answered = calls.filter((c) => !c.includes('error'));
  expect(answered).toEqual(whole.slice(0, answered.length));
});

test('a capture with segments dropped (editcap) decodes around the holes and names the missing bytes', () => {
  requireTool('editcap', 'wireshark-common');
  const whole = importFile(capture);
  // Drop the frames that carried the response to the 3rd call of the first connection, found with tshark.
  const frames = execFileSync('tshark', ['-r', capture, '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.stream'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split('\t').map(Number));
  const proxyPort = Number(new URL(proxy.urls[0]).port);
  const firstStreamResponses = frames.filter(([, src, stream]) => stream === 0 && src === proxyPort).map(([n]) => n);
  const dropped = [firstStreamResponses[2]];
  const holed = join(scratch, 'holed.pcapng');
  execFileSync('editcap', ['-F', 'pcapng', capture, holed, ...dropped.map(String)]);
  const imported = importFile(holed, 333);
  expect(imported.format).toBe('pcapng');
  expect(imported.problems.join('\n')).toMatch(/m1: \d+ bytes of responses not captured \(after byte \d+\)/);
  const before = callsPerMedium(whole.events);
  const after = callsPerMedium(imported.events);
  // The other connections are untouched; the first loses the call whose response is missing and resumes after it.
  expect(after.slice(1)).toEqual(before.slice(1));
  expect(after[0].slice(0, 2)).toEqual(before[0].slice(0, 2));
  expect(after[0][2]).toMatch(/ error: transport$/);
  expect(after[0].slice(-3)).toEqual(before[0].slice(-3));
});

test('hpss import writes a trace that hpss trace summary reads; a damaged capture exits 1 naming what was lost', async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [HPSS_BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      ),
    );
  const trace = join(scratch, 'imported.jsonl');
  const r = await run(['import', capture, '--trace', trace]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^wrote .*imported\.jsonl: \d+ events, 3 medium\(s\), \d+ call\(s\) from pcap /);
  const summary = JSON.parse((await run(['trace', 'summary', trace, '--json'])).stdout) as { mediums: { calls: number; kind: string }[] };
  const proxyCalls = events.filter((e) => e.type === 'call-started' && closedServerMediums().includes(e.mediumId)).length;
  expect(summary.mediums.reduce((n, m) => n + m.calls, 0)).toBe(proxyCalls);
  expect((await run(['import', capture, '--trace', trace])).stderr).toMatch(/cannot write .*imported\.jsonl: .*EEXIST/);
  const cut = join(scratch, 'cut-for-cli.pcap');
  writeFileSync(cut, readFileSync(capture).subarray(0, 3000));
  const damaged = await run(['import', cut, '--json']);
  expect(damaged.code).toBe(1);
  expect(damaged.stderr).toMatch(/hpss import: .*cut-for-cli\.pcap: the capture file ends inside a packet record/);
  const json = JSON.parse(damaged.stdout) as { source: string; calls: { verb: string }[]; problems: string[] };
  expect(json.source).toBe('pcap');
  expect(json.calls[0].verb).toBe('BzrDir.open_2.1');
  const notCapture = await run(['import', trace]);
  expect(notCapture.code).toBe(1);
  expect(notCapture.stderr).toMatch(/is neither a pcap\/pcapng capture nor a brz log/);
});
