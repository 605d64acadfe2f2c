/**
 * The last MAX_LOGGED events as received, oldest first: what "Save trace" writes. A ring,
 * so memory stays bounded; only the newest `rawKept` events keep their raw wire bytes
 * (the engine's own trace file keeps them all).
 */
import type { EngineEvent } from '../../../shared/events';

export const MAX_LOGGED = 100_000;
export const RAW_EVENTS_KEPT = 4_000;

function withoutRaw(e: EngineEvent): EngineEvent {
  if (e.type === 'call-started' && e.raw) {
    const { raw: _raw, ...rest } = e;
    return rest;
  }
  if (e.type === 'call-finished' && (e.raw || e.requestRaw)) {
    const { raw: _raw, requestRaw: _requestRaw, ...rest } = e;
    return rest;
  }
  return e;
}

export class EventLog {
  private ring: EngineEvent[] = [];
  private start = 0;
  /** When "Clear" last emptied the log (null: never), and events pushed out by the cap since. */
  clearedAt: number | null = null;
  overwritten = 0;

  constructor(
    private readonly cap = MAX_LOGGED,
    private readonly rawKept = RAW_EVENTS_KEPT,
  ) {}

  /** Ring slot of the event `back` places behind the newest, if it is still held. */
  private slotBehind(back: number): number {
    const n = this.ring.length;
    if (back >= n) return -1;
    return (this.start + n - 1 - back) % n;
  }

  get size(): number {
    return this.ring.length;
  }

  append(events: EngineEvent[]): void {
    for (const e of events) {
      if (this.ring.length < this.cap) this.ring.push(e);
      else {
        this.ring[this.start] = e;
        this.start = (this.start + 1) % this.cap;
        this.overwritten++;
      }
      const aged = this.slotBehind(this.rawKept);
      if (aged >= 0) this.ring[aged] = withoutRaw(this.ring[aged]);
    }
  }

  events(): EngineEvent[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  /** `at`: the time of a user's "Clear" (kept to say what a saved trace covers); omitted when a trace replaces the view. */
  clear(at: number | null = null): void {
    this.ring = [];
    this.start = 0;
    this.clearedAt = at;
    this.overwritten = 0;
  }
}
