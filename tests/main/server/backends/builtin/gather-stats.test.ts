/**
 * Repository.gather_stats (`brz info -v`): the built-in backend reads revision texts out of
 * 2a packs (group-compress blocks, fulltexts and deltas) and answers as Breezy's own server
 * does — answer by answer with `brz serve --inet` at every kind of location, with and
 * without committers, for a tip, none, `null:`, a revision not there and a stacked branch
 * whose ancestry is elsewhere — and a real `brz info -v` (and `-v -v`, with committers) prints
 * the same against both servers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { ParentMapCache } from '../../../../../src/main/server/backends/builtin/revision-graph';
import { blockContent, packRecordBody, parseTextMemo } from '../../../../../src/shared/bzr-formats/groupcompress';
import { startServer, type RunningOwner } from '../../../../../src/main/server';
import { EventBus, IdSource } from '../../../../../src/main/bus/event-bus';
import { requireTool } from '../../../../support/test-hosts';
import { brzFixtureEnv, makeBrzFixtures, startBrzServe, type RunningBrzServe } from '../../../../support/brz-fixtures';
import { ask, BreezyPeer, type ComparableAnswer } from '../../../../support/server-call';

const run = promisify(execFile);
let scratch: string;
let root: string;
let env: NodeJS.ProcessEnv;

/** A branch of 40 commits by three committers in three time zones: texts stored as deltas in shared blocks. */
function makeLongHistory(dir: string): void {
  const brz = (args: string[], extra: NodeJS.ProcessEnv = {}) => execFileSync('brz', args, { cwd: root, env: { ...env, ...extra }, stdio: 'pipe' });
  brz(['init', '-q', dir]);
  const people = ['Ann <ann@example.invalid>', 'Bo Ünal <bo@example.invalid>', 'Cy <cy@example.invalid>'];
  const zones = ['+0000', '+0530', '-0800'];
  for (let i = 0; i < 40; i++) {
    writeFileSync(join(root, dir, 'f.txt'), `revision ${i}\n`.repeat(i + 1));
    if (i === 0) brz(['add', '-q', join(dir, 'f.txt')]);
    const day = String(1 + (i % 28)).padStart(2, '0');
    brz(['commit', '-q', '-m', `change ${i}`, '--commit-time', `2021-03-${day} 10:${String(i).padStart(2, '0')}:07 ${zones[i % 3]}`, dir], { BRZ_EMAIL: people[i % 3] });
  }
}

beforeAll(() => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-builtin-stats-'));
  root = join(scratch, 'root');
  env = brzFixtureEnv(join(scratch, 'home'));
  makeBrzFixtures(root, env);
  makeLongHistory('long');
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Breezy names its transport by an object id in error texts (`filtered-140714585585552:///`). */
const normalise = (a: ComparableAnswer): ComparableAnswer => ({ ...a, args: a.args.map((x) => x.replace(/filtered-\d+:/g, 'filtered-N:')) });

const LOCATIONS = ['standalone', 'feature', 'shared', 'shared/trunk', 'shared/nested/deeper/b', 'treeless', 'stacked', 'long', 'checkout-light', 'nope'];

test("the long history's revision texts are mostly deltas: the comparison below reads both kinds", async () => {
  const repo = join(root, 'long/.bzr/repository');
  const kinds = new Map<string, number>();
  for (const [, where] of (await new ParentMapCache().index(repo)).texts) {
    const memo = parseTextMemo(where.value);
    const record = Buffer.alloc(memo.length);
    const fd = openSync(`${repo}/packs/${where.pack}.pack`, 'r');
    readSync(fd, record, 0, memo.length, memo.start);
    closeSync(fd);
    const content = await blockContent(packRecordBody(record), (z, n) => inflateSync(z, { maxOutputLength: n }));
    const kind = String.fromCharCode(content[memo.from]);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  expect(kinds.get('f')).toBeGreaterThan(0);
  expect(kinds.get('d')).toBeGreaterThanOrEqual(20);
});

test('gather_stats answer by answer with brz serve, at every kind of location', async () => {
  const brz = new BreezyPeer(root, false, scratch);
  const ours = new BuiltinBackend({ dir: root, allowWrites: false }).open();
  try {
    const tips = new Map<string, string>();
    for (const loc of ['standalone', 'feature', 'long', 'stacked']) tips.set(loc, (await brz.ask('Branch.last_revision_info', [loc])).args[2]);
    const requests: string[][] = [];
    for (const loc of LOCATIONS) {
      const revids = ['', 'null:', 'no-such-revision', ...new Set(tips.values())];
      for (const revid of revids) for (const committers of ['yes', 'no']) requests.push([loc, revid, committers]);
    }
    let withStamps = 0;
    for (const args of requests) {
      const theirs = normalise(await brz.ask('Repository.gather_stats', args));
      const mine = normalise(await ask(ours, 'Repository.gather_stats', args));
      expect({ args, answer: mine }).toEqual({ args, answer: theirs });
      if (theirs.body?.includes('firstrev')) withStamps++;
    }
    // Enough answers carried stamps read from revision texts for the comparison to mean something.
    expect(withStamps).toBeGreaterThanOrEqual(12);
    expect(await ask(ours, 'Repository.gather_stats', ['long', tips.get('long') as string, 'yes'])).toMatchObject({ body: expect.stringContaining('committers: 3\n') });
  } finally {
    brz.close();
  }
}, 180_000);

test('a real `brz info -v` prints the same against the built-in backend and brz serve', async () => {
  let server: RunningOwner | undefined;
  let oracle: RunningBrzServe | undefined;
  try {
    server = await startServer({ backend: 'builtin', dir: root, listen: '127.0.0.1:0', allowWrites: false }, new EventBus(), new IdSource());
    oracle = await startBrzServe(root, env, false);
    for (const loc of ['standalone', 'long', 'shared', 'shared/trunk', 'treeless', 'stacked']) {
      // -v asks without committers, -v -v with them.
      for (const verbose of [['-v'], ['-v', '-v']]) {
        const info = async (base: string) => {
          // A stacked branch's `info -v` fails against Breezy's server too (its stats need the
          // revisions it stacks on): the failure must be the same.
          const r = await run('brz', ['info', ...verbose, `${base}${loc}`], { env, encoding: 'utf8', timeout: 60_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e);
          return `exit ${'code' in r ? r.code : 0}\n${r.stdout}${r.stderr}`.split(base).join('URL/');
        };
        const theirs = await info(oracle.url);
        expect(await info(server.urls[0])).toBe(theirs);
        if (loc === 'long' && verbose.length === 2) {
          expect(theirs).toMatch(/3 committers[\s\S]*first revision: Mon 2021-03-01 10:00:07 \+0000\n {2}latest revision: Fri 2021-03-12 10:39:07 \+0000/);
        }
      }
    }
  } finally {
    await server?.stop();
    oracle?.stop();
  }
}, 180_000);
