import { expect, test } from 'vitest';
import { CallLines } from '../../../src/main/cli/call-lines';
import { EventBus } from '../../../src/main/bus/event-bus';

function run(quiet: boolean) {
  const bus = new EventBus();
  const out: string[] = [];
  const lines = new CallLines(bus, (l) => out.push(l), quiet);
  const raw = (length: number) => ({ base64: '', length, truncated: false });
  bus.emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: 'p', ownerId: 'p1' });
  bus.emit({ type: 'medium-opened', mediumId: 'm2', kind: 'tcp-client', role: 'client', peer: 'u', ownerId: 'p1' });
  bus.emit({ type: 'call-started', mediumId: 'm1', callId: 'c1', protocol: 3, verb: 'BzrDir.open_2.1', args: ['x/'], verbKind: 'read', vfs: false, requestBody: null, raw: raw(100) });
  bus.emit({ type: 'call-finished', mediumId: 'm1', callId: 'c1', verb: 'BzrDir.open_2.1', status: 'S', args: ['no'], responseBody: null, durationMs: 63.2, raw: raw(70) });
  bus.emit({ type: 'call-started', mediumId: 'm1', callId: 'c2', protocol: 3, verb: 'Branch.get_stacked_on_url', args: ['x/'], verbKind: 'read', vfs: false, requestBody: null, raw: raw(90) });
  bus.emit({ type: 'call-finished', mediumId: 'm1', callId: 'c2', verb: 'Branch.get_stacked_on_url', status: 'E', args: ['NotStacked'], responseBody: null, durationMs: 2, raw: raw(60) });
  bus.emit({ type: 'policy-action', mediumId: 'm1', callId: 'c3', policy: 'refuse-vfs', action: 'refused a VFS request', verb: 'mkdir' });
  bus.emit({ type: 'call-started', mediumId: 'm1', callId: 'c3', protocol: 3, verb: 'mkdir', args: ['/x'], verbKind: 'vfs', vfs: true, requestBody: null, raw: raw(50) });
  bus.emit({ type: 'call-finished', mediumId: 'm1', callId: 'c3', verb: 'mkdir', status: 'E', args: ['error', 'VFS requests over the smart server are not allowed.'], responseBody: null, durationMs: 0.4, raw: raw(2048) });
  return { out, summary: lines.finish(), bus, lines };
}

test('one line per finished call: connection, verb, result, duration, sizes; failures explained', () => {
  const { out } = run(false);
  expect(out).toEqual([
    'm1 BzrDir.open_2.1 → S no  63 ms  100 B/70 B  FAILED: Not a branch: no bzrdir at this path',
    'm1 Branch.get_stacked_on_url → E NotStacked  2.0 ms  90 B/60 B',
    'm1 mkdir → refused by policy  0.40 ms  50 B/2.0 KiB  FAILED: VFS requests over the smart server are not allowed.',
  ]);
});

test('the summary at exit: calls, connections served, failures by verb and result, durations per verb', () => {
  const { summary } = run(true);
  expect(summary).toEqual([
    '3 calls on 1 connections, 2 failed',
    '  failed: BzrDir.open_2.1 → S no ×1',
    '  failed: mkdir → refused by policy ×1',
    '  Branch.get_stacked_on_url: 1 calls, 1 error answers, 0 failures, p50 2.0 ms, p95 2.0 ms',
    '  BzrDir.open_2.1: 1 calls, 0 error answers, 1 failures, p50 63 ms, p95 63 ms',
    '  mkdir: 1 calls, 1 error answers, 1 failures, p50 0.40 ms, p95 0.40 ms',
  ]);
});

test('--quiet prints no call line; after finish nothing more is counted', () => {
  const { out, bus, lines } = run(true);
  expect(out).toEqual([]);
  bus.emit({ type: 'call-finished', mediumId: 'm1', callId: 'c9', verb: 'hello', status: 'S', args: ['ok'], responseBody: null, durationMs: 1 });
  expect(lines.finish()[0]).toBe('3 calls on 1 connections, 2 failed');
});

test("a connection the owner makes prints its set-up as its own line, phases and reason included", () => {
  const bus = new EventBus();
  const out: string[] = [];
  new CallLines(bus, (l) => out.push(l), false);
  const phases = [
    { phase: 'tcp-connect' as const, ms: 1.5, ok: true },
    { phase: 'ssh-handshake' as const, ms: 40, ok: true },
    { phase: 'authentication' as const, ms: 0.2, ok: false },
  ];
  bus.emit({ type: 'connection-setup', mediumId: 'm2', kind: 'ssh-client', target: 'joe@127.0.0.1:22', phases: phases.slice(0, 2), totalMs: 41.5, ok: true });
  bus.emit({ type: 'connection-setup', mediumId: 'm3', kind: 'ssh-client', target: 'joe@127.0.0.1:22', phases, totalMs: 41.7, ok: false, reason: 'authentication failed' });
  expect(out).toEqual([
    'm2 SSH set-up to joe@127.0.0.1:22 in 42 ms: TCP connect 1.5 ms · SSH handshake 40 ms',
    'm3 SSH set-up to joe@127.0.0.1:22 failed at authentication after 42 ms: authentication failed (TCP connect 1.5 ms · SSH handshake 40 ms · authentication 0.20 ms ✗)  FAILED',
  ]);
});
