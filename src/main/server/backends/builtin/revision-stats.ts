/**
 * Repository.gather_stats as Breezy computes it (repository.py Repository.gather_stats, and
 * vf_repository.py adding the revision count): from a tip, its ancestry in the order
 * Graph.iter_ancestry walks it (breadth first, a level's ghosts after its revisions), the
 * latest revision is the tip and the first is the last one walked; committers are counted
 * over the whole ancestry. Revision texts are read from the packs (pack-texts.ts).
 */
import { NULL_REVISION } from '../../../../shared/bzr-formats/control-formats';
import { parseRevisionStamp, type RevisionStamp } from '../../../../shared/bzr-formats/revision-text';
import type { ParentMap, RevisionIndex } from './revision-graph';
import { PackTexts } from './pack-texts';

/** The answer body's fields, in the order SmartServerRepositoryGatherStats writes them. */
export interface GatheredStats {
  committers?: number;
  firstrev?: RevisionStamp;
  latestrev?: RevisionStamp;
  revisions: number;
}

export class NoSuchRevisionError extends Error {
  override readonly name = 'NoSuchRevisionError';
}

/**
 * Graph.iter_ancestry's order without `null:`: each level is what the one before names as
 * parents, not yet walked; within a level, the revisions present, then the ghosts. (Breezy
 * orders a level by set iteration, so with several revisions in the last level its pick of
 * the "first" revision is its own hash order; here it is the order parents are listed.)
 */
function ancestryOrder(parents: ParentMap, tip: string): string[] {
  const walked: string[] = [];
  const processed = new Set<string>([tip]);
  let level = [tip];
  while (level.length > 0) {
    const next: string[] = [];
    const ghosts: string[] = [];
    for (const id of level) {
      const ps = parents.get(id);
      if (ps === undefined) {
        if (id !== NULL_REVISION) ghosts.push(id);
        continue;
      }
      walked.push(id);
      for (const p of ps.length === 0 ? [NULL_REVISION] : ps) {
        if (!processed.has(p)) {
          processed.add(p);
          next.push(p);
        }
      }
    }
    walked.push(...ghosts);
    level = next;
  }
  return walked;
}

/** `revid` '' is none; a tip not in the repository, or a ghost whose text is needed, is NoSuchRevisionError. */
export async function gatherStats(repositoryDir: string, index: RevisionIndex, revid: string, committers: boolean): Promise<GatheredStats> {
  const revisions = index.parents.size;
  // Breezy counts committers for any revid it was given ('null:' too) but walks none for null.
  if (revid === '' || revid === NULL_REVISION) return committers && revid !== '' ? { committers: 0, revisions } : { revisions };
  const walked = ancestryOrder(index.parents, revid);
  const wanted = committers ? walked : [walked[0], walked[walked.length - 1]];
  const texts = new PackTexts(repositoryDir, index.texts);
  const people = new Set<string>();
  let latest: RevisionStamp | undefined;
  let first: RevisionStamp | undefined;
  for (const id of wanted) {
    const text = await texts.text(id);
    if (text === null) throw new NoSuchRevisionError(id);
    first = parseRevisionStamp(text);
    latest ??= first;
    people.add(first.committer);
  }
  return { ...(committers ? { committers: people.size } : {}), firstrev: first, latestrev: latest, revisions };
}

/** The answer body: one `key: value` line per field, Python's `%.3f %d` for the stamps. */
export function statsBody(stats: GatheredStats): string {
  const stamp = (s: RevisionStamp) => {
    if (s.timezone === null) throw new TypeError('%d format: a real number is required, not NoneType');
    return `${s.timestamp.toFixed(3)} ${s.timezone}`;
  };
  let body = '';
  if (stats.committers !== undefined) body += `committers: ${stats.committers}\n`;
  if (stats.firstrev) body += `firstrev: ${stamp(stats.firstrev)}\n`;
  if (stats.latestrev) body += `latestrev: ${stamp(stats.latestrev)}\n`;
  body += `revisions: ${stats.revisions}\n`;
  return body;
}
