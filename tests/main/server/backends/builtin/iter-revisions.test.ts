/**
 * Repository.iter_revisions (what `brz log` asks for the revisions it shows): the built-in
 * backend sends each revision text it has, read out of the packs, as its own zlib stream —
 * the same texts as Breezy's own server (whose order is its record stream's: compared as
 * sets), absent and empty ids left out; and a real `brz log` over it prints what it prints
 * against `brz serve`, with the verb answered rather than the VFS used.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { builtinBesideBreezy } from '../../../../support/builtin-beside-breezy';
import { ask, BreezyPeer, type ComparableAnswer } from '../../../../support/server-call';

const run = promisify(execFile);
const fx = useBrzFixtures('hpss-builtin-iterrev-');

/** The body's zlib streams, one after another, each inflated; sorted. */
function texts(answer: ComparableAnswer): string[] {
  const body = Buffer.from(answer.body ?? '', 'latin1');
  const out: string[] = [];
  for (let at = 0; at < body.length; ) {
    const { buffer, engine } = inflateSync(body.subarray(at), { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    out.push(buffer.toString('latin1'));
    at += engine.bytesWritten;
  }
  return out.sort();
}

test('iter_revisions: the same revision texts as brz serve, at every kind of location', async () => {
  const brz = new BreezyPeer(fx.fixtures, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: fx.fixtures, allowWrites: false }).open();
  try {
    const graph = await brz.ask('Repository.get_revision_graph', ['standalone', '']);
    const all = (graph.body ?? '').split('\n').map((l) => l.split(' ')[0]);
    expect(all.length).toBe(4);
    const bodies = [all.join('\n'), `${all[0]}\nno-such-revision\n\n${all[2]}`, '', 'no-such-revision'];
    let textsSeen = 0;
    for (const loc of ['standalone', 'shared', 'shared/trunk', 'stacked', 'treeless', 'checkout-light', 'nope']) {
      for (const body of bodies) {
        const theirs = await brz.ask('Repository.iter_revisions', [loc], Buffer.from(body));
        const mine = await ask(ours, 'Repository.iter_revisions', [loc], Buffer.from(body));
        const shape = (a: ComparableAnswer) => ({ status: a.status, args: a.args.map((x) => x.replace(/filtered-\d+:/g, 'filtered-N:')), texts: a.status === 'S' ? texts(a) : a.body });
        expect({ loc, body, answer: shape(mine) }).toEqual({ loc, body, answer: shape(theirs) });
        if (theirs.status === 'S') textsSeen += texts(theirs).length;
      }
    }
    expect(textsSeen).toBeGreaterThanOrEqual(15);
  } finally {
    brz.close();
  }
}, 120_000);

test('a real brz log -v prints the same against the built-in backend and brz serve, through iter_revisions', async () => {
  const servers = await builtinBesideBreezy(fx.fixtures, fx.env);
  try {
    for (const loc of ['standalone', 'shared/trunk', 'treeless']) {
      const log = async (base: string) => (await run('brz', ['log', '-v', '-n0', `${base}${loc}`], { env: fx.env, encoding: 'utf8', timeout: 60_000 })).stdout;
      expect(await log(servers.ours)).toBe(await log(servers.breezy));
    }
    const iter = servers.answered.filter((c) => c.verb === 'Repository.iter_revisions');
    expect(iter.length).toBeGreaterThanOrEqual(3);
    expect(iter.every((c) => c.status === 'S')).toBe(true);
  } finally {
    await servers.stop();
  }
}, 120_000);
