/**
 * The real-brz operations the serve and proxy acceptance runs: each against a base URL,
 * with its output normalized (so direct and relayed runs compare equal) and the
 * `HPSS calls: N (M vfs)` lines brz itself wrote with -Dhpss to its own log.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { settle } from './settle';

export interface OpResult {
  name: string;
  code: number;
  output: string;
  /** "N (M vfs)" per client medium brz reported, sorted. */
  hpss: string[];
}

export interface ScenarioEnv {
  env: NodeJS.ProcessEnv;
  work: string;
  logDir: string;
}

let logSeq = 0;

/** Runs brz asynchronously (the server under test lives in this process), with a fresh BRZ_LOG. */
export function brz(s: ScenarioEnv, name: string, args: string[], cwd = s.work): Promise<OpResult> {
  const log = join(s.logDir, `brz-${++logSeq}.log`);
  return new Promise((resolve) => {
    execFile('brz', ['-Dhpss', ...args], { cwd, env: { ...s.env, BRZ_LOG: log }, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      let logText = '';
      try {
        logText = readFileSync(log, 'utf8');
      } catch {
        // brz wrote no log
      }
      const hpss = [...logText.matchAll(/HPSS calls: (\d+) \((\d+) vfs\)/g)].map((m) => `${m[1]} (${m[2]} vfs)`).sort();
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const output = (stdout + stderr)
        .split('\n')
        .filter((line) => !/HPSS calls:/.test(line))
        .join('\n');
      resolve({ name, code, output, hpss });
    });
  });
}

/** info, log, cat, branch, push (new, then again), checkout + commit, pull: each against `base`. */
export async function runScenario(s: ScenarioEnv, base: string, tag: string, after?: (r: OpResult) => Promise<void>): Promise<OpResult[]> {
  mkdirSync(s.work, { recursive: true });
  const b = join(s.work, `b-${tag}`);
  const co = join(s.work, `co-${tag}`);
  const pushed = `${base}pushed-${tag}`;
  const results: OpResult[] = [];
  const op = async (name: string, args: string[], cwd?: string): Promise<void> => {
    const r = await brz(s, name, args, cwd);
    r.output = r.output.split(base).join('URL/').split(tag).join('TAG').split(s.work).join('WORK');
    results.push(r);
    await after?.(r);
  };
  await op('info', ['info', `${base}trunk`]);
  await op('log', ['log', `${base}trunk`]);
  await op('cat', ['cat', `${base}trunk/hello.txt`]);
  await op('branch', ['branch', `${base}trunk`, b]);
  await op('push new', ['push', '-d', b, pushed]);
  writeFileSync(join(b, 'hello.txt'), `hello from ${tag}\n`);
  await op('commit local', ['commit', '-m', 'change for push again', b]);
  await op('push again', ['push', '-d', b, pushed]);
  await op('checkout', ['checkout', pushed, co]);
  writeFileSync(join(co, 'new.txt'), 'checkout commit\n');
  await op('add', ['add', join(co, 'new.txt')]);
  await op('checkout commit', ['commit', '-m', 'commit through the checkout', co]);
  await op('pull', ['pull', '-d', b, pushed]);
  await op('log after', ['log', '--line', pushed]);
  return results;
}

/** Calls per client medium of `owner` as our events recorded them, in brz's "N (M vfs)" form, sorted. */
function recordedCounts(events: EngineEvent[], ownerId: string): string[] {
  const mine = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.role === 'server' && e.ownerId === ownerId ? [e.mediumId] : [])));
  return events
    .flatMap((e) => (e.type === 'medium-closed' && mine.has(e.mediumId) && e.calls > 0 ? [`${e.calls} (${e.vfsCalls} vfs)`] : []))
    .sort();
}

/** Where the call counts of each operation come from: our events, or trace files. */
export interface CountCursor {
  /** Counts ("N (M vfs)") recorded since the last `advance`, sorted. */
  pending(): string[];
  advance(): void;
}

/** The counts of `owner`'s mediums in `events` (appended to as the run goes). */
export function eventCounts(events: EngineEvent[], ownerId: string): CountCursor {
  let mark = events.length;
  return {
    pending: () => recordedCounts(events.slice(mark), ownerId),
    advance: () => {
      mark = events.length;
    },
  };
}

/** One operation's counts: ours beside brz's own `-Dhpss` lines. */
export interface OperationCounts {
  name: string;
  recorded: string[];
  brzSays: string[];
}

/** `runScenario`, taking after each operation the counts recorded for it (waited for, bounded: mediums close a moment after brz exits). */
export async function runCountedScenario(s: ScenarioEnv, base: string, tag: string, cursor: CountCursor): Promise<{ results: OpResult[]; counts: OperationCounts[] }> {
  const counts: OperationCounts[] = [];
  const results = await runScenario(s, base, tag, async (r) => {
    await settle(() => cursor.pending().length, r.hpss.length);
    counts.push({ name: r.name, recorded: cursor.pending(), brzSays: r.hpss });
    cursor.advance();
  });
  return { results, counts };
}

/** Our counts equal brz's for every operation, and enough operations made calls for that to mean something. */
export function expectBrzCounts(counts: OperationCounts[]): void {
  expect(counts.map((c) => [c.name, c.recorded])).toEqual(counts.map((c) => [c.name, c.brzSays]));
  expect(counts.filter((c) => c.brzSays.length > 0).length).toBeGreaterThanOrEqual(9);
}
