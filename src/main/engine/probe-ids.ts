/**
 * The probe names its run with `ids.take('p')` as it starts; the UI needs that id
 * before the probe runs (the command answers at once, the steps follow as events).
 * This IdSource hands out the id the Engine already reserved for the probe's first
 * 'p', and delegates every other id to the engine's own sequence, so ids stay unique.
 */
import { IdSource } from './event-bus';

export class ReservedProbeId extends IdSource {
  private used = false;

  constructor(
    private readonly shared: IdSource,
    private readonly probeId: string,
  ) {
    super();
  }

  override take(prefix: string): string {
    if (prefix === 'p' && !this.used) {
      this.used = true;
      return this.probeId;
    }
    return this.shared.take(prefix);
  }
}
