/**
 * Breezy's `_DebugCounter` (`-Dhpss`): calls and VFS calls per client medium, reported as
 * `HPSS calls: N (M vfs) MEDIUM` when the medium closes. The counts themselves live on the
 * medium (every call the smart client sends); this subscriber turns the `medium-closed` event
 * into Breezy's line, which it skips, as Breezy does, for a medium that made no calls.
 */
import type { EngineEvent } from '../../shared/events';
import type { EventBus } from '../bus/event-bus';

export function formatHpssCalls(calls: number, vfsCalls: number, medium: string): string {
  return `HPSS calls: ${calls} (${vfsCalls} vfs) ${medium}`;
}

/**
 * Reports each client medium's line on close. `describe` names a medium by id (Breezy prints
 * its repr); by default the id itself.
 */
export function subscribeDebugCounter(
  bus: EventBus,
  report: (line: string) => void,
  describe: (mediumId: string) => string = (id) => id,
): () => void {
  const clientMediums = new Set<string>();
  return bus.on((e: EngineEvent) => {
    if (e.type === 'medium-opened' && e.role === 'client') clientMediums.add(e.mediumId);
    // A reconnectable close is a disconnect: Breezy reports a medium once, when it goes away.
    if (e.type !== 'medium-closed' || e.reconnectable || !clientMediums.delete(e.mediumId) || e.calls === 0) return;
    report(formatHpssCalls(e.calls, e.vfsCalls, describe(e.mediumId)));
  });
}
