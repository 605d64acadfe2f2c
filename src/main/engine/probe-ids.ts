/**
 * The probe names its run with `ids.take('probe')` as it starts; the UI needs that id
 * before the probe runs (the command answers at once, the steps follow as events).
 * This IdSource hands out the id the Engine already reserved for the probe's first
 * probe id, and delegates every other id to the engine's own sequence, so ids stay unique.
 */
import type { IdKind } from '../../shared/ids';
import { IdSource } from '../bus/event-bus';

export class ReservedProbeId extends IdSource {
  private used = false;

  constructor(
    private readonly shared: IdSource,
    private readonly probeId: string,
  ) {
    super();
  }

  override take(kind: IdKind): string {
    if (kind === 'probe' && !this.used) {
      this.used = true;
      return this.probeId;
    }
    return this.shared.take(kind);
  }
}
