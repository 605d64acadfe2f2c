/**
 * Between the engine's event batches and the store: batches are queued as they arrive
 * and applied once per animation frame, at most MAX_EVENTS_PER_FRAME at a time, in a
 * single store update. Bursts therefore cost one render per frame, not one per event.
 * Every applied event is also kept in the bounded log that "Save trace" writes.
 */
import type { EngineEvent } from '../../../shared/events';
import { EventLog } from './event-log';

export const MAX_EVENTS_PER_FRAME = 20_000;

/** Runs the flush at the next frame (see lib/frame-scheduler.ts); injected so the queue stays DOM-free. */
export type Schedule = (run: () => void) => void;

export class EventQueue {
  private batches: EngineEvent[][] = [];
  /** Offset into batches[0] of the first event not yet applied. */
  private offset = 0;
  private scheduled = false;
  readonly log = new EventLog();

  constructor(
    private readonly apply: (events: EngineEvent[]) => void,
    private readonly schedule: Schedule,
    private readonly maxPerFrame = MAX_EVENTS_PER_FRAME,
  ) {}

  get pending(): number {
    return this.batches.reduce((n, b) => n + b.length, 0) - this.offset;
  }

  push(batch: EngineEvent[]): void {
    if (!Array.isArray(batch) || batch.length === 0) return;
    this.batches.push(batch);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Applies up to one frame's worth; reschedules itself when more is waiting. */
  flush(): void {
    this.scheduled = false;
    const out: EngineEvent[] = [];
    while (this.batches.length && out.length < this.maxPerFrame) {
      const head = this.batches[0];
      const take = Math.min(head.length - this.offset, this.maxPerFrame - out.length);
      for (let i = 0; i < take; i++) out.push(head[this.offset + i]);
      this.offset += take;
      if (this.offset >= head.length) {
        this.batches.shift();
        this.offset = 0;
      }
    }
    if (out.length) {
      this.log.append(out);
      this.apply(out);
    }
    if (this.batches.length && !this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  clear(): void {
    this.batches = [];
    this.offset = 0;
    this.log.clear();
  }
}
