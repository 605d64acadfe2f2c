/**
 * Repository.get_rev_id_for_revno (brz log -r N, cat -r N, diff -r) and
 * VersionedFileRepository.get_serializer_format, answer by answer with `brz serve --inet`:
 * every revno of a branch with merges from its tip, beyond it, before it, from an unknown
 * revision, and on a stacked branch whose history runs out (history-incomplete) — with the
 * ints brz sends; Branch.revision_id_to_revno for main-line, merged and unknown revisions;
 * then real `brz log -r 1`, `brz cat -r 1` and `brz revno` print the same against both
 * servers, through the verbs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { builtinBesideBreezy } from '../../../../support/builtin-beside-breezy';
import { ask, BreezyPeer, type Arg, type ComparableAnswer } from '../../../../support/server-call';

const run = promisify(execFile);
const fx = useBrzFixtures('hpss-builtin-revno-');

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

test('revision_id_to_revno: main-line revisions and unknown ones as brz serve answers; merged ones left to the VFS', async () => {
  const brz = new BreezyPeer(fx.fixtures, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: fx.fixtures, allowWrites: false }).open();
  try {
    let mainline = 0;
    let merged = 0;
    for (const loc of ['standalone', 'shared/trunk', 'feature']) {
      const graph = await brz.ask('Repository.get_revision_graph', [loc, '']);
      const revids = [...(graph.body ?? '').split('\n').map((l) => l.split(' ')[0]), 'null:', 'no-such-revision', ''];
      for (const revid of revids) {
        const theirs = normalise(await brz.ask('Branch.revision_id_to_revno', [loc, revid]));
        const mine = normalise(await ask(ours, 'Branch.revision_id_to_revno', [loc, revid]));
        if (theirs.status === 'S' && theirs.args.length > 2) {
          merged++;
          expect({ loc, revid, answer: mine }).toEqual({ loc, revid, answer: { status: 'E', args: ['UnknownMethod', 'Branch.revision_id_to_revno'], body: null } });
        } else {
          if (theirs.status === 'S') mainline++;
          expect({ loc, revid, answer: mine }).toEqual({ loc, revid, answer: theirs });
        }
      }
    }
    expect(mainline).toBeGreaterThanOrEqual(6);
    expect(merged).toBeGreaterThanOrEqual(1);
  } finally {
    brz.close();
  }
}, 120_000);

test('real brz log -r 1, cat -r 1 and revno print the same against the built-in backend and brz serve, through the verb', async () => {
  const servers = await builtinBesideBreezy(fx.fixtures, fx.env);
  try {
    for (const args of [['log', '-r', '1'], ['log', '-r', '2..3'], ['cat', '-r', '1'], ['revno']]) {
      const target = (base: string) => (args[0] === 'cat' ? `${base}standalone/a.txt` : `${base}standalone`);
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
