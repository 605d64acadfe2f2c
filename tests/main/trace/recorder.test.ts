import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { EventBus } from '../../../src/main/bus/event-bus';
import { readTrace } from '../../../src/main/trace/read-trace';
import { TraceRecorder } from '../../../src/main/trace/recorder';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-trace-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes a header line, then one event a line, as they are emitted', () => {
  const file = join(dir, 'sub', 't.jsonl');
  const bus = new EventBus();
  bus.emit({ type: 'error', kind: 'internal', message: 'before the recorder', fatal: false });
  const recorder = TraceRecorder.open(file, bus, { meta: { command: 'test' } });
  bus.emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:5' });
  // Written before emit returns: nothing waits in a buffer.
  expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 10 });
  recorder.close();
  bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 99 });

  const lines = readFileSync(file, 'utf8').split('\n');
  expect(lines.at(-1)).toBe('');
  expect(JSON.parse(lines[0])).toMatchObject({ format: 'hpss-trace', version: 1, pid: process.pid, meta: { command: 'test' } });
  expect(lines.slice(1, -1).map((l) => JSON.parse(l).type)).toEqual(['medium-opened', 'bytes']);
  expect(recorder.written).toBe(2);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test('appends a new recording after a torn line, and readTrace returns both', () => {
  const file = join(dir, 't.jsonl');
  const first = new EventBus();
  const r1 = TraceRecorder.open(file, first);
  first.emit({ type: 'bytes', mediumId: 'm1', direction: 'written', count: 1 });
  r1.close();
  appendFileSync(file, '{"type":"bytes","seq":2,"mediumI');
  const second = new EventBus();
  const r2 = TraceRecorder.open(file, second);
  second.emit({ type: 'bytes', mediumId: 'm1', direction: 'written', count: 2 });
  r2.close();

  const trace = readTrace(file);
  expect(trace.sessions.map((s) => s.events.length)).toEqual([1, 1]);
  expect(trace.tornLines).toEqual([3]);
});

test('readTrace rejects a file that is not a trace', () => {
  const file = join(dir, 'x.jsonl');
  writeFileSync(file, '{"type":"bytes","seq":1}\n');
  expect(() => readTrace(file)).toThrow(/no header line/);
  writeFileSync(file, '{"format":"hpss-trace","version":1}\nnot json\n{"type":"bytes","seq":1}\n');
  expect(() => readTrace(file)).toThrow(/x\.jsonl:2: not a JSON line/);
});

test('a process killed with SIGKILL loses no event it had emitted', async () => {
  const script = join(dir, 'child.js');
  buildSync({ entryPoints: [join(__dirname, 'fixtures', 'record-until-killed.ts')], bundle: true, platform: 'node', outfile: script, logLevel: 'error' });
  const file = join(dir, 'killed.jsonl');
  const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastAnnounced = 0;
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const seqs = text.split('\n').filter(Boolean).map(Number);
      lastAnnounced = seqs.at(-1) ?? 0;
      if (lastAnnounced >= 200) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error('child exited before it was killed')));
  });
  expect(await exit).toBe('SIGKILL');

  const trace = readTrace(file);
  const seqs = trace.sessions[0].events.map((e) => e.seq);
  expect(seqs.length).toBeGreaterThanOrEqual(lastAnnounced);
  // Every event up to the last one the child announced is there, in order, complete.
  expect(seqs.slice(0, lastAnnounced)).toEqual(Array.from({ length: lastAnnounced }, (_, i) => i + 1));
  expect(trace.tornLines).toEqual([]);
});

test('a trace whose folder is removed, or whose file is replaced, stops with one error event after the event it was writing', async () => {
  for (const fault of ['remove-folder', 'replace-file'] as const) {
    const file = join(dir, `${fault}`, 't.jsonl');
    const bus = new EventBus();
    const recorder = TraceRecorder.open(file, bus);
    bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 1 });
    if (fault === 'remove-folder') rmSync(join(dir, fault), { recursive: true, force: true });
    else {
      rmSync(file);
      writeFileSync(file, 'someone else\n');
    }
    await new Promise((r) => setTimeout(r, 1_100)); // the path is checked at most once a second
    const seen: string[] = [];
    bus.on((e) => seen.push(e.type === 'error' ? `error: ${e.message}` : e.type));
    bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 2 });
    bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 3 });
    await new Promise((r) => setTimeout(r, 0));
    expect(recorder.isOpen).toBe(false);
    expect(seen).toEqual([
      'bytes',
      'bytes',
      expect.stringMatching(new RegExp(`^error: cannot write trace ${file.replace(/[/.]/g, '\\$&')}: the file .*(removed|replaced)`)),
    ]);
    expect(bus.recent().at(-1)).toMatchObject({ type: 'error', kind: 'internal', fatal: false });
  }
});

test('a write that fails (a real EFBIG past RLIMIT_FSIZE) stops the recorder with an error event; the process goes on', async () => {
  const file = join(dir, 'limited.jsonl');
  const script = join(dir, 'limited.cjs');
  writeFileSync(
    script,
    buildSync({
      stdin: {
        contents: `
          import { EventBus } from './src/main/bus/event-bus';
          import { TraceRecorder } from './src/main/trace/recorder';
          const bus = new EventBus();
          const errors = [];
          bus.on((e) => { if (e.type === 'error') errors.push(e.message); });
          const recorder = TraceRecorder.open(process.argv[2], bus);
          let i = 0;
          for (; i < 200; i++) bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: i });
          setTimeout(() => {
            bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: -1 });
            console.log(JSON.stringify({ errors, open: recorder.isOpen, written: recorder.written, emitted: i }));
          }, 10);
        `,
        resolveDir: join(__dirname, '../../..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
    }).outputFiles[0].text,
  );
  const child = spawn('prlimit', ['--fsize=2000', process.execPath, script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  expect(code).toBe(0);
  const result = JSON.parse(out) as { errors: string[]; open: boolean; written: number; emitted: number };
  expect(result.open).toBe(false);
  expect(result.errors).toEqual([expect.stringMatching(/^cannot write trace .*limited\.jsonl: .*(EFBIG|too large)/i)]);
  expect(result.written).toBeGreaterThan(5);
  expect(result.written).toBeLessThan(result.emitted);
  expect(statSync(file).size).toBeLessThanOrEqual(2000);
});
