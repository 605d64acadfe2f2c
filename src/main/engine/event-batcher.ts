/**
 * Collects engine events into batches, one flush per ~16 ms, so that thousands of
 * calls a second become ~60 messages a second to the UI whatever the shell. A batch
 * is capped; the rest waits for the next tick rather than making one huge message.
 */
import type { EngineEvent } from '../../shared/events';

export const BATCH_INTERVAL_MS = 16;
export const MAX_BATCH = 5_000;
/** Beyond this many queued events a stalled consumer loses the oldest (counted). */
export const MAX_QUEUED = 200_000;

export class EventBatcher {
  private queue: EngineEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  dropped = 0;

  constructor(
    private readonly send: (batch: EngineEvent[]) => void,
    private readonly intervalMs = BATCH_INTERVAL_MS,
  ) {}

  push(event: EngineEvent): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(event);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    this.timer = null;
    if (this.queue.length === 0) return;
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
    this.send(batch);
    if (this.queue.length > 0) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}
