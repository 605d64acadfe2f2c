/**
 * A client connection's set-up, timed phase by phase (resolve, TCP connect, SSH handshake,
 * host key, authentication, remote command) from the steps the connect code reports, and
 * told as one `connection-setup` event: the set-up is its own row in a trace, not part of
 * the first call's duration.
 */
import { performance } from 'node:perf_hooks';
import type { MediumKind, SetupPhase, UnstampedEvent } from '../../shared/events';
import type { ConnectStepListener } from './tcp-client-connect';

export interface SetupTarget {
  mediumId: string;
  kind: MediumKind;
  target: string;
  ownerId?: string;
}

export class ConnectionSetup {
  readonly phases: SetupPhase[] = [];
  private readonly startedAt = performance.now();
  private endedAt: number | null = null;

  /** Pass as the connect code's step listener (beside a probe's: `bothListeners`). */
  readonly onStep: ConnectStepListener = (report) => {
    this.phases.push({ phase: report.step, ms: report.ms, ok: report.ok });
  };

  /** Milliseconds from the start to `end()` (or to now while it runs). */
  get elapsedMs(): number {
    return (this.endedAt ?? performance.now()) - this.startedAt;
  }

  /** Stops the clock; the event reports it. */
  end(): void {
    this.endedAt ??= performance.now();
  }

  /** The event for a set-up that ended: `reason` when it failed. */
  event(where: SetupTarget, reason?: string): UnstampedEvent {
    this.end();
    return {
      type: 'connection-setup',
      ...where,
      phases: this.phases,
      totalMs: this.elapsedMs,
      ok: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
    };
  }
}
