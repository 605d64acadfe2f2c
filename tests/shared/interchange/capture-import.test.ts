/**
 * Captures built here around real Breezy connections (tests/fixtures/captures: what Breezy's
 * own client and server sent, chunk by chunk) import to the calls Breezy's decoder found in
 * them: every link type and IP version, pcap and pcapng, fed at every split offset; and
 * segments out of order, retransmitted, lost or from a connection already under way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { CaptureImporter, type CaptureImport } from '../../../src/shared/interchange';
import { CAPTURES_DIR } from '../../support/test-hosts';
import {
  conversation, fixtureChunks, frame, LINK_TYPES, pcapFile, pcapngFile, type Endpoints, type Link, type Segment,
} from './support/capture-builder';

interface ExpectedMessage {
  dir: 'c2s' | 's2c';
  args: unknown[];
  status?: 'S' | 'E' | null;
}

/** What Breezy decoded in the fixture: "verb status" per call. */
function breezyCalls(name: string): string[] {
  const expected = JSON.parse(readFileSync(join(CAPTURES_DIR, `${name}.expected.json`), 'utf8')) as { messages: ExpectedMessage[] };
  const requests = expected.messages.filter((m) => m.dir === 'c2s');
  const responses = expected.messages.filter((m) => m.dir === 's2c');
  return requests.map((r, i) => `${String(r.args[0])} ${responses[i]?.status ?? null}`);
}

function calls(events: EngineEvent[]): string[] {
  const verbs = new Map<string, string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'call-started') verbs.set(e.callId, e.verb);
    if (e.type === 'call-finished') out.push(`${verbs.get(e.callId)} ${e.error ? `error: ${e.error.kind}` : e.status}`);
  }
  return out;
}

function importBytes(file: Buffer, split?: number[]): CaptureImport {
  const importer = new CaptureImporter();
  let at = 0;
  for (const cut of [...(split ?? []), file.length]) {
    // A private copy per piece, reused afterwards: the importer must copy what it keeps.
    const piece = Buffer.from(file.subarray(at, cut));
    importer.feed(piece);
    piece.fill(0xee);
    at = cut;
  }
  return importer.finish();
}

function build(segs: Segment[], link: Link = 'ethernet', ends: Endpoints = {}, format: 'pcap' | 'pcap-be-ns' | 'pcapng' = 'pcap'): Buffer {
  const packets = segs.map((s) => ({ t: s.t, data: frame(link, s, ends) }));
  if (format === 'pcapng') return pcapngFile(LINK_TYPES[link], packets);
  return pcapFile(LINK_TYPES[link], packets, { bigEndianNanos: format === 'pcap-be-ns' });
}

const FIXTURES = ['cli-ping.conn1', 'cli-branch.conn1', 'cli-push-new.conn1', 'cli-log-missing.conn1', 'lib-v1-vfs.conn1', 'lib-v2-vfs.conn1', 'lib-v3-vfs.conn1'];

describe('real Breezy connections in built captures', () => {
  test.each(FIXTURES)('%s imports to the calls Breezy decoded, with its timestamps and bytes', (name) => {
    const chunks = fixtureChunks(name);
    const imported = importBytes(build(conversation(chunks)));
    expect(imported.problems).toEqual([]);
    expect(imported.hpssConnections).toBe(1);
    expect(calls(imported.events)).toEqual(breezyCalls(name));
    const opened = imported.events[0];
    expect(opened).toMatchObject({ type: 'medium-opened', kind: 'tcp-server', role: 'server', peer: '10.0.0.1:51000', t: 1_700_000_000_000 });
    const bytes = (dir: 'read' | 'written') => imported.events.reduce((n, e) => n + (e.type === 'bytes' && e.direction === dir ? e.count : 0), 0);
    const total = (dir: 'c2s' | 's2c') => chunks.filter((c) => c.dir === dir).reduce((n, c) => n + c.bytes.length, 0);
    expect([bytes('read'), bytes('written')]).toEqual([total('c2s'), total('s2c')]);
    const closed = imported.events.at(-1);
    expect(closed).toMatchObject({ type: 'medium-closed', reason: 'closed', calls: breezyCalls(name).length });
  });

  const links: [Link, boolean][] = [['ethernet', false], ['ethernet', true], ['sll', false], ['sll2', true], ['null', false], ['null', true], ['loop', true]];
  test.each(links)('link type %s (IPv6: %s), in pcap and pcapng, decodes the same', (link, v6) => {
    const segs = conversation(fixtureChunks('cli-log-missing.conn1'));
    for (const format of ['pcap', 'pcap-be-ns', 'pcapng'] as const) {
      const imported = importBytes(build(segs, link, { v6 }, format));
      expect(imported.problems).toEqual([]);
      expect(calls(imported.events)).toEqual(breezyCalls('cli-log-missing.conn1'));
      expect(imported.events[0]).toMatchObject({ peer: v6 ? '[fd00::1]:51000' : '10.0.0.1:51000' });
      const started = imported.events.find((e) => e.type === 'call-started');
      // Times survive at the file's precision (microseconds in pcap).
      expect(Math.abs((started?.t ?? 0) - (1_700_000_000_000 + fixtureChunks('cli-log-missing.conn1')[0].t * 1000))).toBeLessThan(0.002);
    }
  });

  test.each(['pcap', 'pcapng'] as const)('a %s file fed in two pieces at every split offset, and byte by byte, imports the same', (format) => {
    const file = build(conversation(fixtureChunks('cli-ping.conn1')), 'ethernet', {}, format);
    const whole = importBytes(file);
    expect(calls(whole.events)).toEqual(['hello S']);
    for (let cut = 0; cut <= file.length; cut++) expect(importBytes(file, [cut]).events).toEqual(whole.events);
    expect(importBytes(file, Array.from({ length: file.length }, (_, i) => i)).events).toEqual(whole.events);
  });

  test('on any port: HPSS is found by its markers, not by port 4155', () => {
    const segs = conversation(fixtureChunks('lib-v2-vfs.conn1'));
    const imported = importBytes(build(segs, 'ethernet', { serverPort: 8080, clientPort: 4155 }));
    expect(calls(imported.events)).toEqual(breezyCalls('lib-v2-vfs.conn1'));
    expect(imported.events[0]).toMatchObject({ peer: '10.0.0.1:4155' });
  });

  test('a TCP connection that is not HPSS is ignored', () => {
    const http = [{ dir: 'c2s' as const, t: 0.001, bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') }, { dir: 's2c' as const, t: 0.002, bytes: Buffer.from('HTTP/1.1 200 OK\r\n\r\n') }];
    const imported = importBytes(build(conversation(http)));
    expect(imported).toMatchObject({ tcpConnections: 1, hpssConnections: 0, problems: [], events: [] });
  });
});

describe('TCP trouble', () => {
  const name = 'cli-branch.conn1';

  test('segments out of order and retransmitted (overlapping) decode as if in order', () => {
    const segs = conversation(fixtureChunks(name));
    const data = segs.map((s, i) => [s, i] as const).filter(([s]) => s.payload.length > 8);
    const shuffled = [...segs];
    // Swap each pair of data segments; retransmit every third one, and half of every fifth again.
    for (let k = 0; k + 1 < data.length; k += 2) {
      const [a, b] = [data[k][1], data[k + 1][1]];
      [shuffled[a], shuffled[b]] = [shuffled[b], shuffled[a]];
    }
    const noisy: Segment[] = [];
    shuffled.forEach((s, i) => {
      noisy.push(s);
      if (s.payload.length > 0 && i % 3 === 0) noisy.push({ ...s });
      if (s.payload.length > 8 && i % 5 === 0) noisy.push({ ...s, seq: s.seq + 4, payload: s.payload.subarray(4) });
    });
    const imported = importBytes(build(noisy));
    expect(imported.problems).toEqual([]);
    expect(calls(imported.events)).toEqual(breezyCalls(name));
  });

  test('a lost segment is a gap of known length: the calls it cut end in error, decoding resumes at the next request', () => {
    const segs = conversation(fixtureChunks(name));
    const requests = segs.filter((s) => s.fromClient && s.payload.length > 0);
    const lost = requests[4];
    const imported = importBytes(build(segs.filter((s) => s !== lost)));
    const full = breezyCalls(name);
    const got = calls(imported.events);
    expect(imported.problems.join('\n')).toMatch(new RegExp(`m1: ${lost.payload.length} bytes of requests not captured \\(after byte \\d+\\)`));
    expect(got.slice(0, 4)).toEqual(full.slice(0, 4));
    expect(got.slice(-5)).toEqual(full.slice(-5));
    expect(got.length).toBeLessThan(full.length);
    const error = imported.events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ mediumId: 'm1', kind: 'transport', fatal: false });
  });

  test('a connection whose start was not captured is decoded from the first request marker, and says so', () => {
    const segs = conversation(fixtureChunks(name));
    const dataSegs = segs.filter((s) => s.payload.length > 0);
    // Enter after the first two exchanges: no SYN, the 3rd request is the first bytes seen.
    const from = segs.indexOf(dataSegs[4]);
    // The capture begins with the last bytes of the 2nd request and of its response.
    const tail = (x: Segment, n: number): Segment => ({ ...x, seq: x.seq + x.payload.length - n, payload: x.payload.subarray(-n) });
    const imported = importBytes(build([tail(dataSegs[2], 10), tail(dataSegs[3], 7), ...segs.slice(from)]));
    expect(imported.problems.join('\n')).toMatch(/the start of the connection to 10\.0\.0\.2:4155 was not captured/);
    expect(imported.problems).toEqual([
      expect.stringMatching(/^m1: the start of the connection to 10\.0\.0\.2:4155 was not captured: decoding begins at the first request marker$/),
      'm1: requests decoded from byte 10 on (a message marker)',
      'm1: responses decoded from byte 7 on (a message marker)',
    ]);
    expect(imported.events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(calls(imported.events)).toEqual(breezyCalls(name).slice(2));
  });

  test('a capture cut inside a packet record keeps every packet before it and says how many bytes were cut', () => {
    const file = build(conversation(fixtureChunks(name)));
    const imported = importBytes(file.subarray(0, file.length - 250)); // the FINs and the last ACK's end
    expect(imported.problems[0]).toMatch(/ends inside a packet record \(its last \d+ bytes\): it was cut short/);
    expect(calls(imported.events)).toEqual(breezyCalls(name));
    expect(imported.events.at(-1)).toMatchObject({ type: 'medium-closed', reason: 'still open when the capture ended' });
  });

  test('bytes that are not a capture are refused with what they are not', () => {
    const imported = importBytes(Buffer.from('{"format":"hpss-trace"}\n'));
    expect(imported.problems).toEqual([expect.stringMatching(/not a pcap or pcapng capture \(unknown magic number\)/)]);
    expect(importBytes(Buffer.alloc(0)).problems).toEqual([expect.stringMatching(/empty file/)]);
  });
});
