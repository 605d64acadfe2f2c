/**
 * The brz log reader on the line forms Breezy 3.3.2 writes (protocol.py, message.py,
 * medium.py, trace.py): v3 and v1/v2 results, bodies, readv, streams, errors, several
 * processes, a call with no result, a count that does not match. (A real log of real runs
 * is read in tests/interop/brz-log-import.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { importBrzLog, isBrzLog } from '../../../src/shared/interchange';
import { parsePyValues } from '../../../src/shared/interchange/python-repr';

const LOG = `
Wed 2026-12-02 02:57:26 +0100
0.141  breezy version: 3.3.2
0.141  brz arguments: ['-Dhpss', 'branch', 'bzr+ssh://me@example.com/trunk', 'b1']
0.213  hpss: Built a new medium: SmartSSHClientMedium
0.215  hpss call:   b'BzrDir.open_2.1', b'trunk/'
0.215               (to bzr+ssh://me@example.com/trunk/)
0.237     result:   (b'yes', b'yes')
0.275  hpss call:   b'Branch.get_stacked_on_url', b'trunk/'
0.278     result:   (b'NotStacked',)
0.350  hpss call w/body: b'Repository.get_stream_1.19', b'trunk/', b'fmt\\n' (b'ancestry-of\\nt@e-2026'...)
0.350                47 bytes
0.352     result:   (b'ok',)
0.352                42 byte part read
0.353                323 byte part read
0.400  hpss call w/readv: b'readv', b'/x/.bzr/pack'
0.400               (to bzr+ssh://me@example.com/trunk/)
0.401               12 bytes in readv request
0.410     result:      0.010s  b'readv'
0.412               800 body bytes read
0.420  hpss call w/body stream: (b'Repository.insert_stream_1.19', b'pushed/', b'')
0.431     result:   (b'ok',)
0.440  hpss call:   b'get', b'/gone'
0.450  return code 3
[ 7348] 2026-12-02 02:57:26.834 INFO: HPSS calls: 6 (2 vfs) <breezy.bzr.smart.medium.SmartSSHClientMedium object at 0x7f5167770650>

Wed 2026-12-02 02:57:27 +0100
0.129  brz arguments: ['-Dhpss', 'log', 'bzr://127.0.0.1:4155/x']
0.218  hpss: Built a new medium: SmartTCPClientMedium
0.220  hpss call:   b'BzrDir.open_2.1', b'x/'
0.220               (to bzr://127.0.0.1:4155/x/)
0.249     result:   (b'no',)
[ 7351] 2026-12-02 02:57:27.464 INFO: HPSS calls: 2 (0 vfs) <breezy.bzr.smart.medium.SmartTCPClientMedium object at 0x7f47d2b868d0>
`;

function byType<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

describe('importBrzLog', () => {
  const r = importBrzLog(LOG);

  test('mediums: kind from the class brz built, peer from the first URL, closed with the count brz reported', () => {
    expect(byType(r.events, 'medium-opened').map((e) => [e.mediumId, e.kind, e.role, e.peer])).toEqual([
      ['m1', 'ssh-client', 'client', 'example.com:22'],
      ['m2', 'tcp-client', 'client', '127.0.0.1:4155'],
    ]);
    expect(byType(r.events, 'medium-closed').map((e) => [e.mediumId, e.calls, e.vfsCalls, e.reason])).toEqual([
      ['m1', 6, 2, 'brz reported HPSS calls: 6 (2 vfs)'],
      ['m2', 1, 0, 'brz reported HPSS calls: 2 (0 vfs)'],
    ]);
    expect(r.problems).toEqual(['brz reported HPSS calls: 2 (0 vfs) for m2; its log lines show 1 (0 vfs)']);
    expect(r.processes.map((p) => [p.calls, p.reported])).toEqual([[6, [{ calls: 6, vfsCalls: 2 }]], [1, [{ calls: 2, vfsCalls: 0 }]]]);
  });

  test('calls: verb, args, status (errors by name), bodies, durations, at the log\'s times in its zone', () => {
    const started = byType(r.events, 'call-started');
    const finished = byType(r.events, 'call-finished');
    expect(started.map((e) => [e.verb, e.args, e.vfs, e.protocol])).toEqual([
      ['BzrDir.open_2.1', ['trunk/'], false, 3],
      ['Branch.get_stacked_on_url', ['trunk/'], false, 3],
      ['Repository.get_stream_1.19', ['trunk/', 'fmt\n'], false, 3],
      ['readv', ['/x/.bzr/pack'], true, 2],
      ['Repository.insert_stream_1.19', ['pushed/', ''], false, 3],
      ['get', ['/gone'], true, 3],
      ['BzrDir.open_2.1', ['x/'], false, 3],
    ]);
    expect(started[0].t).toBe(Date.parse('2026-12-02T02:57:26.215+01:00'));
    expect(started[2].requestBody).toEqual({ length: 47, parts: 1, preview: 'ancestry-of\nt@e-2026' });
    expect(started[3].requestBody).toEqual({ length: 12, parts: 1, preview: '' });
    expect(finished.map((e) => [e.verb, e.status, e.args])).toEqual([
      ['BzrDir.open_2.1', 'S', ['yes', 'yes']],
      ['Branch.get_stacked_on_url', 'E', ['NotStacked']],
      ['Repository.get_stream_1.19', 'S', ['ok']],
      ['readv', 'S', ['readv']],
      ['Repository.insert_stream_1.19', 'S', ['ok']],
      ['get', null, []],
      ['BzrDir.open_2.1', 'S', ['no']],
    ]);
    expect(finished[0].durationMs).toBeCloseTo(22, 6);
    expect(finished[3].durationMs).toBeCloseTo(10, 6); // brz's own timing when it logs one
    expect(finished[2].responseBody).toEqual({ length: 365, parts: 2, preview: '' });
    expect(finished[3].responseBody).toEqual({ length: 800, parts: 1, preview: '' });
    expect(finished[5].error).toEqual({ kind: 'transport', message: 'the log shows no result for this call' });
    // The second process starts after the first ended, though its header says 02:57:27 (whole seconds).
    expect(r.events.every((e, i) => i === 0 || e.t >= r.events[i - 1].t)).toBe(true);
  });

  test('a log is told from other text', () => {
    expect(isBrzLog(LOG)).toBe(true);
    expect(isBrzLog('{"format":"hpss-trace","version":1}\n')).toBe(false);
    expect(importBrzLog('no brz here\n')).toEqual({ events: [], processes: [], problems: [] });
  });

  test('a line whose values do not read is named, and the rest imported', () => {
    const bad = importBrzLog(`Wed 2026-12-02 02:57:26 +0000\n0.100  brz arguments: []\n0.200  hpss call:   b'hello', b'unterminated\n0.300  hpss call:   b'hello'\n0.400     result:   (b'ok', b'2')\n`);
    expect(bad.problems).toEqual([expect.stringMatching(/^line 3: cannot read the values: unterminated string/)]);
    expect(byType(bad.events, 'call-finished').map((e) => [e.verb, e.status])).toEqual([['hello', 'S']]);
  });
});

describe('parsePyValues', () => {
  test('bytes, str, escapes, ints, constants, nested tuples and lists', () => {
    expect(parsePyValues(`b'a\\x00\\n\\'', 'caf\\xe9 \\u2603', -3, True, False, None, (b'x', [1, 2]), ()`)).toEqual([
      Uint8Array.from([97, 0, 10, 39]),
      'café ☃',
      -3,
      true,
      false,
      null,
      [Uint8Array.from([120]), [1, 2]],
      [],
    ]);
    expect(parsePyValues(`b"it's"`)).toEqual([new TextEncoder().encode("it's")]);
    expect(() => parsePyValues(`b'x' junk`)).toThrow(/unexpected/);
  });
});
