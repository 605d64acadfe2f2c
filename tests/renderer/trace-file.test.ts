import { expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import { parseTrace } from '../../src/main/trace/read-trace';
import { parseTraceText, serializeTrace, TraceParseError } from '../../src/renderer/src/lib/trace-file';

const SAMPLE = (() => {
  const bus = new EventBus();
  return [
    bus.emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:1' }),
    bus.emit({ type: 'call-started', mediumId: 'm1', callId: 'c1', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null }),
  ];
})();
const sample = () => SAMPLE;

test('a saved trace is a trace the recorder tooling reads', () => {
  const text = serializeTrace(sample());
  const read = parseTrace(text);
  expect(read.sessions).toHaveLength(1);
  expect(read.sessions[0].events).toEqual(sample());
  // Shown under ids of their own (`r1.…`), so nothing in a trace can name a live medium, call or owner.
  const prefixed = sample().map((e) => ({ ...e, mediumId: `r1.${(e as { mediumId: string }).mediumId}`, ...('callId' in e && { callId: `r1.${e.callId}` }) }));
  expect(parseTraceText(text)).toEqual({ events: prefixed, recordings: 1, skippedLines: 0 });
});

test('several recordings in one file get fresh seqs and prefixed ids', () => {
  const text = serializeTrace(sample()) + serializeTrace(sample());
  const { events, recordings } = parseTraceText(text);
  expect(recordings).toBe(2);
  expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  expect(events.map((e) => ('mediumId' in e ? e.mediumId : ''))).toEqual(['r1.m1', 'r1.m1', 'r2.m1', 'r2.m1']);
});

test('a torn last line is skipped; a file that is not a trace says so', () => {
  const torn = serializeTrace(sample()) + '{"type":"bytes","se';
  expect(parseTraceText(torn).skippedLines).toBe(1);
  expect(() => parseTraceText('{"type":"bytes","seq":1}\n')).toThrow(TraceParseError);
  expect(() => parseTraceText('hello\n')).toThrow(/not an hpss trace/);
  expect(() => parseTraceText('')).toThrow(/empty/);
});
