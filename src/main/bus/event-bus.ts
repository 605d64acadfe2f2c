/**
 * The engine's event stream. Every module that reports activity emits here; the
 * recorder, the debug counter, the CLI and the UI shells subscribe. Stamps each event
 * with a monotonic `seq` and a wall-clock `t`, and keeps a bounded ring of recent
 * events so a UI that attaches late can replay them.
 */
import type { EngineEvent, UnstampedEvent } from '../../shared/events';
import { ID_PREFIXES, type IdKind } from '../../shared/ids';

export type EventListener = (event: EngineEvent) => void;

/** The replay ring of a process no UI attaches to (the CLI's serve and proxy, `serve --inet`). */
export const HEADLESS_RING_EVENTS = 256;

export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly ring: EngineEvent[] = [];
  private ringStart = 0;

  constructor(private readonly ringSize = 20_000) {}

  emit(event: UnstampedEvent): EngineEvent {
    // Stamped in place rather than copied: emitters pass fresh objects, and the copy was a
    // measurable share of a hello round trip (bench/hello.js).
    const stamped = event as EngineEvent;
    stamped.seq = ++this.seq;
    stamped.t = Date.now();
    if (this.ring.length < this.ringSize) this.ring.push(stamped);
    else {
      this.ring[this.ringStart] = stamped;
      this.ringStart = (this.ringStart + 1) % this.ringSize;
    }
    // A listener that throws must not stop the others or the emitter: report and go on.
    for (const listener of this.listeners) {
      try {
        listener(stamped);
      } catch (err) {
        process.emitWarning(`event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return stamped;
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Recent events, oldest first. */
  recent(): EngineEvent[] {
    return [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
  }
}

/** How long a medium's byte counts gather before they are reported. */
export const BYTES_REPORT_MS = 50;

/**
 * One medium's byte counts, reported as `bytes` events at most once per BYTES_REPORT_MS and
 * direction rather than once per read or write (two events per call were a measurable share of
 * a hello round trip). `flush()` reports what is pending at once: mediums call it before their
 * `medium-closed`, so the per-medium totals in events stay exact.
 */
export class ByteReporter {
  private read = 0;
  private written = 0;
  private readFirst = true;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly mediumId: string,
  ) {}

  count(direction: 'read' | 'written', bytes: number): void {
    if (direction === 'read') this.read += bytes;
    else this.written += bytes;
    if (this.timer) return;
    this.readFirst = direction === 'read';
    this.timer = setTimeout(() => this.flush(), BYTES_REPORT_MS);
    this.timer.unref();
  }

  /** Reports the pending counts now, in the order they began. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.readFirst) {
      this.report('read');
      this.report('written');
    } else {
      this.report('written');
      this.report('read');
    }
  }

  private report(direction: 'read' | 'written'): void {
    const count = direction === 'read' ? this.read : this.written;
    if (count === 0) return;
    if (direction === 'read') this.read = 0;
    else this.written = 0;
    this.bus.emit({ type: 'bytes', mediumId: this.mediumId, direction, count });
  }
}

/** Process-wide id sequences: "m1", "m2", … for mediums, "c1", … for calls. */
export class IdSource {
  private readonly next = new Map<IdKind, number>();

  take(kind: IdKind): string {
    const n = (this.next.get(kind) ?? 0) + 1;
    this.next.set(kind, n);
    return `${ID_PREFIXES[kind]}${n}`;
  }
}
