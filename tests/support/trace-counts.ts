/** Call counts per medium from trace files, in brz's `-Dhpss` form "N (M vfs)". */
import { existsSync } from 'node:fs';
import type { MediumKind } from '../../src/shared/events';
import { readTrace } from '../../src/main/trace/read-trace';
import { summarizeTrace, type MediumSummary } from '../../src/main/trace/summary';
import type { CountCursor } from './brz-scenario';

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

/** A cursor over the mediums `closed()` lists, in order; `seen()` is how many were taken. */
export function closedMediumCounts(closed: () => MediumSummary[]): CountCursor & { seen(): number } {
  let seen = 0;
  return {
    pending: () => closed().slice(seen).map(asBrzCount).sort(),
    advance: () => {
      seen = closed().length;
    },
    seen: () => seen,
  };
}
