/**
 * Repository.get_rev_id_for_revno (brz log -r N, cat -r N, diff -r) and
 * VersionedFileRepository.get_serializer_format, answer by answer with `brz serve --inet`:
 * every revno of a branch with merges from its tip, beyond it, before it, from an unknown
 * revision, and on a stacked branch whose history runs out (history-incomplete) — with the
 * ints brz sends; Branch.revision_id_to_revno for main-line, merged (dotted revnos, on a
 * history of nested merges, branches from old revisions and two lines off one revision) and
 * unknown revisions; then real `brz log -r 1`, `brz cat -r 1` and `brz revno` print the same against both
 * servers, through the verbs.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { builtinBesideBreezy } from '../../../../support/builtin-beside-breezy';
import { ask, BreezyPeer, type Arg, type ComparableAnswer } from '../../../../support/server-call';

const run = promisify(execFile);
/**
 * `merges`: trunk 1; a from 1 (a1, a2); b from a1, merged into a (a3); trunk 2 merges a;
 * c from 1 (c1, c2) and d from 1 (d1), merged in turn (trunk 3, 4); e from trunk 3, merged
 * after trunk 5 (trunk 6): nested lines, two lines off one revision, a line from an old one.
 */
function makeMerges(fixtures: string, env: NodeJS.ProcessEnv): void {
  const brz = (cwd: string, ...args: string[]) => execFileSync('brz', args, { cwd: join(fixtures, cwd), env, stdio: 'pipe' });
  const commit = (branch: string, text: string) => {
    writeFileSync(join(fixtures, branch, `${text}.txt`), `${text}\n`);
    brz(branch, 'add', '-q', `${text}.txt`);
    brz(branch, 'commit', '-q', '-m', text);
  };
  const merge = (into: string, from: string) => {
    brz(into, 'merge', '-q', `../${from}`);
    brz(into, 'commit', '-q', '-m', `merge ${from}`);
  };
  brz('.', 'init', '-q', 'merges');
  commit('merges', 't1');
  brz('.', 'branch', '-q', 'merges', 'merges-a');
  commit('merges-a', 'a1');
  brz('.', 'branch', '-q', 'merges-a', 'merges-b');
  commit('merges-a', 'a2');
  commit('merges-b', 'b1');
  merge('merges-a', 'merges-b');
  brz('.', 'branch', '-q', '-r', '1', 'merges', 'merges-c');
  brz('.', 'branch', '-q', '-r', '1', 'merges', 'merges-d');
  merge('merges', 'merges-a');
  commit('merges-c', 'c1');
  commit('merges-c', 'c2');
  commit('merges-d', 'd1');
  merge('merges', 'merges-c');
  merge('merges', 'merges-d');
  brz('.', 'branch', '-q', '-r', '3', 'merges', 'merges-e');
  commit('merges-e', 'e1');
  commit('merges', 't5');
  merge('merges', 'merges-e');
}

const fx = useBrzFixtures('hpss-builtin-revno-', makeMerges);

const normalise = (a: ComparableAnswer): ComparableAnswer => ({ ...a, args: a.args.map((x) => x.replace(/filtered-\d+:/g, 'filtered-N:')) });

test('get_rev_id_for_revno and get_serializer_format, answer by answer with brz serve', async () => {
  const brz = new BreezyPeer(fx.fixtures, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: fx.fixtures, allowWrites: false }).open();
  try {
    const requests: [string, Arg[]][] = [];
    for (const loc of ['standalone', 'shared/trunk', 'stacked', 'treeless']) {
      const [, revno, tip] = (await brz.ask('Branch.last_revision_info', [loc])).args;
      for (let r = -1; r <= Number(revno) + 1; r++) requests.push(['Repository.get_rev_id_for_revno', [loc, r, [Number(revno), tip]]]);
      requests.push(['Repository.get_rev_id_for_revno', [loc, 1, [2, 'no-such-revision']]]);
      requests.push(['VersionedFileRepository.get_serializer_format', [loc]]);
    }
    requests.push(['VersionedFileRepository.get_serializer_format', ['nope']]);
    const kinds = new Set<string>();
    for (const [verb, args] of requests) {
      const theirs = normalise(await brz.ask(verb, args));
      expect({ verb, args, answer: normalise(await ask(ours, verb, args)) }).toEqual({ verb, args, answer: theirs });
      kinds.add(theirs.args[0]);
    }
    // Every kind of answer was compared.
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['history-incomplete', 'nosuchrevision', 'ok', 'revno-outofbounds']));
  } finally {
    brz.close();
  }
}, 120_000);

test('revision_id_to_revno: main-line, merged and unknown revisions as brz serve answers them', async () => {
  const brz = new BreezyPeer(fx.fixtures, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: fx.fixtures, allowWrites: false }).open();
  try {
    let mainline = 0;
    const dotted = new Set<string>();
    for (const loc of ['standalone', 'shared/trunk', 'feature', 'merges', 'merges-a']) {
      const graph = await brz.ask('Repository.get_revision_graph', [loc, '']);
      const revids = [...(graph.body ?? '').split('\n').map((l) => l.split(' ')[0]), 'null:', 'no-such-revision', ''];
      for (const revid of revids) {
        const theirs = normalise(await brz.ask('Branch.revision_id_to_revno', [loc, revid]));
        const mine = normalise(await ask(ours, 'Branch.revision_id_to_revno', [loc, revid]));
        if (theirs.status === 'S' && theirs.args.length > 2) dotted.add(theirs.args.slice(1).join('.'));
        else if (theirs.status === 'S') mainline++;
        expect({ loc, revid, answer: mine }).toEqual({ loc, revid, answer: theirs });
      }
    }
    expect(mainline).toBeGreaterThanOrEqual(6);
    // Lines off one revision, a line nested in a line, continued lines.
    expect([...dotted]).toEqual(expect.arrayContaining(['1.1.1', '1.1.2', '1.2.1', '1.3.1', '1.3.2', '1.4.1', '3.1.1']));
  } finally {
    brz.close();
  }
}, 120_000);

test('real brz log -r 1, log -r revid: of a merged revision, cat -r 1 and revno print the same against the built-in backend and brz serve, through the verbs', async () => {
  const merged = /revision-id: (\S+)/.exec(execFileSync('brz', ['log', '-n0', '--show-ids', '-r', '1.3.2', join(fx.fixtures, 'merges')], { env: fx.env, encoding: 'utf8' }))?.[1];
  if (!merged) throw new Error('the merges fixture has no revision 1.3.2: brz log printed no revision-id');
  const servers = await builtinBesideBreezy(fx.fixtures, fx.env);
  try {
    for (const args of [['log', '-r', '1'], ['log', '-r', '2..3'], ['log', '-n0', '-r', `revid:${merged}`], ['cat', '-r', '1'], ['revno']]) {
      const branch = args.some((a) => a.startsWith('revid:')) ? 'merges' : 'standalone';
      const target = (base: string) => (args[0] === 'cat' ? `${base}standalone/a.txt` : `${base}${branch}`);
      const out = async (base: string) => (await run('brz', [...args, target(base)], { env: fx.env, encoding: 'utf8', timeout: 60_000 })).stdout;
      expect({ args, out: await out(servers.ours) }).toEqual({ args, out: await out(servers.breezy) });
    }
    for (const verb of ['Repository.get_rev_id_for_revno', 'Branch.revision_id_to_revno']) {
      const calls = servers.answered.filter((c) => c.verb === verb);
      expect({ verb, calls: calls.length > 0 && calls.every((c) => c.status === 'S') }).toEqual({ verb, calls: true });
    }
  } finally {
    await servers.stop();
  }
}, 120_000);
