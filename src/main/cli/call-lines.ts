/**
 * `hpss serve` and `hpss proxy` print one line per call as it finishes (connection,
 * verb, result, duration, sizes; a failure marked and explained) and, at exit, a summary:
 * calls, connections, failures by verb and result, durations per verb. `--quiet` keeps
 * the summary only. The judgement of each call is `shared/call-outcome.ts`, as in the UI.
 * A connection the owner makes (a proxy's upstream) prints its set-up as its own line, so a
 * slow SSH login is not mistaken for a slow first call.
 */
import { CallJoiner, VerbStatsBuilder, type FinishedCall } from '../../shared/call-stats';
import { setupText } from '../../shared/connection-setup-text';
import type { EngineEvent } from '../../shared/events';
import { formatBytes, formatDuration } from '../../shared/units';
import type { EventBus } from '../bus/event-bus';
import type { OwnerHook } from './owner-command';

function ms(v: number | null): string {
  return v === null ? '?' : formatDuration(v);
}

function size(n: number | null): string {
  return n === null ? '?' : formatBytes(n);
}

/** `m3 BzrDir.open_2.1 → S no  63 ms  100 B/70 B  FAILED: Not a branch: …` */
export function callLine(c: FinishedCall): string {
  const failed = c.outcome.severity === 'fail' ? `  FAILED: ${c.outcome.meaning ?? c.outcome.result}` : '';
  return `${c.mediumId} ${c.verb} → ${c.outcome.result}  ${ms(c.durationMs)}  ${size(c.requestBytes)}/${size(c.responseBytes)}${failed}`;
}

const MAX_FAILURE_KINDS = 200;

export class CallLines {
  private readonly joiner = new CallJoiner();
  private readonly stats = new VerbStatsBuilder();
  private readonly failures = new Map<string, number>();
  private connections = 0;
  private calls = 0;
  private readonly unsubscribe: () => void;

  constructor(
    bus: EventBus,
    private readonly write: (line: string) => void,
    private readonly quiet: boolean,
  ) {
    this.unsubscribe = bus.on((e) => this.onEvent(e));
  }

  private onEvent(e: EngineEvent): void {
    if (e.type === 'medium-opened' && e.role === 'server') this.connections++;
    if (e.type === 'connection-setup' && !this.quiet) this.write(`${e.mediumId} ${setupText(e)}${e.ok ? '' : '  FAILED'}`);
    const c = this.joiner.add(e);
    if (!c) return;
    this.calls++;
    this.stats.add({ ...c, severity: c.outcome.severity });
    if (c.outcome.severity === 'fail') {
      // Bounded for a long run (a fuzzer's garbage verbs): past MAX_FAILURE_KINDS kinds they share one line.
      const kind = `${c.verb} → ${c.outcome.result}`;
      const key = this.failures.has(kind) || this.failures.size < MAX_FAILURE_KINDS ? kind : '(other failures)';
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    }
    if (!this.quiet) this.write(callLine(c));
  }

  /** Stops listening and answers the summary lines. */
  finish(): string[] {
    this.unsubscribe();
    const failed = [...this.failures.values()].reduce((a, b) => a + b, 0);
    const lines = [`${this.calls} calls on ${this.connections} connections, ${failed} failed`];
    for (const [key, n] of this.failures) lines.push(`  failed: ${key} ×${n}`);
    for (const v of this.stats.build()) {
      lines.push(`  ${v.verb}: ${v.count} calls, ${v.errorAnswers} error answers, ${v.failures} failures, p50 ${ms(v.p50Ms)}, p95 ${ms(v.p95Ms)}`);
    }
    return lines;
  }
}

/** `--quiet`: no line per call, only the summary at exit. */
export const callLinesHook: OwnerHook = {
  options: { quiet: { type: 'boolean', default: false } },
  async afterStart(ctx) {
    const lines = new CallLines(ctx.bus, (line) => process.stdout.write(`${line}\n`), ctx.values.quiet === true);
    return async () => {
      for (const line of lines.finish()) process.stdout.write(`hpss ${ctx.command}: ${line}\n`);
    };
  },
};
