/** Per-verb statistics over the rows shown (the shared builder, fed with the UI's call records). Pure. */
import { VerbStatsBuilder, type VerbStats } from '../../../shared/call-stats';
import { severityOf } from './calls-reducer';
import type { ListRow } from './types';

export function verbStats(rows: readonly ListRow[]): VerbStats[] {
  const builder = new VerbStatsBuilder();
  for (const r of rows) if (r.row === 'call') builder.add({ ...r, severity: severityOf(r) });
  return builder.build();
}
