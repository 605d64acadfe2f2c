/** The last MAX_LOGGED events as received, oldest first: what "Save trace" writes. A ring, so memory stays bounded. */
import type { EngineEvent } from '../../../shared/events';

export const MAX_LOGGED = 100_000;

export class EventLog {
  private ring: EngineEvent[] = [];
  private start = 0;

  constructor(private readonly cap = MAX_LOGGED) {}

  get size(): number {
    return this.ring.length;
  }

  append(events: EngineEvent[]): void {
    for (const e of events) {
      if (this.ring.length < this.cap) this.ring.push(e);
      else {
        this.ring[this.start] = e;
        this.start = (this.start + 1) % this.cap;
      }
    }
  }

  events(): EngineEvent[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
  }
}
