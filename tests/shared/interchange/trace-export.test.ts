/**
 * pcapng export: what it writes reads back (through our own capture import) to the same
 * calls and wire bytes; a message recorded only in part leaves a hole of its missing
 * length and a comment; base64 agrees with Node's.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { CaptureImporter, exportPcapng, fromBase64, toBase64 } from '../../../src/shared/interchange';
import { conversation, fixtureChunks, frame, pcapFile } from './support/capture-builder';

function importBytes(bytes: Uint8Array): EngineEvent[] {
  const importer = new CaptureImporter();
  importer.feed(bytes);
  const r = importer.finish();
  return r.events;
}

function wire(events: EngineEvent[]): unknown[] {
  // Times at the microsecond the pcapng keeps.
  return events.flatMap((e) => (e.type === 'call-started' || e.type === 'call-finished' ? [[e.type, e.verb, e.raw, Math.round(e.t * 1000)]] : []));
}

const fixture = (name: string) => importBytes(pcapFile(1, conversation(fixtureChunks(name)).map((s) => ({ t: s.t, data: frame('ethernet', s) }))));

describe('exportPcapng', () => {
  test.each(['cli-log.conn1', 'lib-v1-vfs.conn1', 'lib-v2-vfs.conn1', 'lib-v3-vfs.conn1'])('%s: export then import gives the same calls, bytes and times', (name) => {
    const events = fixture(name);
    const out = exportPcapng(events);
    expect(out).toMatchObject({ connections: 1, truncatedCalls: 0, unrecordedCalls: 0 });
    expect(out.calls).toBe(events.filter((e) => e.type === 'call-started').length);
    const again = importBytes(out.bytes);
    expect(wire(again)).toEqual(wire(events));
    expect(again[0]).toMatchObject({ type: 'medium-opened', peer: '10.0.0.1:51000' });
  });

  test('a message recorded only in part is written as recorded, with a hole for the rest and a comment', () => {
    // The branch's fetched stream is 10 KiB: an import, like the engine, keeps its first 4 KiB.
    const events = fixture('cli-branch.conn1');
    const stream = events.find((e) => e.type === 'call-finished' && e.verb === 'Repository.get_stream_1.19');
    expect(stream?.type === 'call-finished' && stream.raw).toMatchObject({ truncated: true, length: expect.any(Number) });
    const length = stream?.type === 'call-finished' ? (stream.raw?.length ?? 0) : 0;
    const out = exportPcapng(events);
    expect(out.truncatedCalls).toBe(1);
    expect(new TextDecoder().decode(out.bytes)).toMatch(new RegExp(`hpss: call ${stream?.type === 'call-finished' ? stream.callId : ''} \\(Repository\\.get_stream_1\\.19\\): response: 4096 of ${length} bytes recorded`));
    const importer = new CaptureImporter();
    importer.feed(out.bytes);
    const r = importer.finish();
    expect(r.problems.join('\n')).toMatch(new RegExp(`${length - 4096} bytes of responses not captured`));
  });

  test('only the calls asked for; calls with no recorded bytes are counted, not written', () => {
    const events = fixture('cli-branch.conn1');
    const ids = events.flatMap((e) => (e.type === 'call-started' ? [e.callId] : []));
    const some = exportPcapng(events, { callIds: new Set(ids.slice(2, 4)) });
    expect(some.calls).toBe(2);
    const bare = events.map((e) => (e.type === 'call-started' ? { ...e, raw: undefined } : e));
    expect(exportPcapng(bare)).toMatchObject({ calls: 0, connections: 0, unrecordedCalls: ids.length });
  });
});

test('base64 agrees with Node at every length', () => {
  for (let n = 0; n < 70; n++) {
    const bytes = randomBytes(n);
    expect(toBase64(bytes)).toBe(bytes.toString('base64'));
    expect(Buffer.from(fromBase64(bytes.toString('base64')))).toEqual(bytes);
  }
  expect(() => fromBase64('ab$d')).toThrow(/not base64/);
});
