/** Call counts per medium from trace files, in brz's `-Dhpss` form "N (M vfs)". */
import { existsSync } from 'node:fs';
import type { MediumKind } from '../../src/shared/events';
import { readTrace } from '../../src/main/trace/read-trace';
import { summarizeTrace, type MediumSummary } from '../../src/main/trace/summary';

/** Closed mediums of `kind` in `files`, in file order (mediums still open are left out). */
export function closedMediums(files: string[], kind: MediumKind): MediumSummary[] {
  return files
    .filter((f) => existsSync(f))
    .flatMap((f) => summarizeTrace(readTrace(f).sessions).mediums)
    .filter((m) => m.kind === kind && m.closed !== null);
}

export function asBrzCount(m: MediumSummary): string {
  return `${m.calls} (${m.vfsCalls} vfs)`;
}

/** Waits (bounded) until `count()` reaches `want`: a medium closes a moment after brz exits. */
export async function settleCount(count: () => number, want: number, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (count() < want && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
}
