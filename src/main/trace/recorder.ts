/**
 * Writes the engine's events to a trace file as they happen.
 *
 * Invariant: each event is one `fs.writeSync` of one complete line to a descriptor
 * opened for appending, before the emitter goes on. Nothing is buffered in this
 * process, so a process killed (even with SIGKILL) loses no event it had emitted;
 * at worst a line torn by a full disk, which `readTrace` tolerates. Trace files hold
 * protocol data, so they are created 0600.
 *
 * Faults: a write that fails (full disk, EFBIG, I/O error) or a file that is no longer
 * where it was (removed, or its folder removed: writes to the open descriptor would
 * still succeed and be lost, so the path is checked against the descriptor at most
 * once a second) stops the recorder and reports once; by default as an `error` event
 * on the bus, which the CLI prints and the UI shows. Whatever emits goes on serving.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EngineEvent } from '../../shared/events';
import type { EventBus } from '../bus/event-bus';
import { TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from '../../shared/trace-format';

export class TraceWriteError extends Error {
  readonly kind = 'internal' as const;
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`cannot write trace ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TraceWriteError';
  }
}

export interface TraceRecorderOptions {
  meta?: TraceHeader['meta'];
  /** Called once when a write fails; the recorder then stops. Default: an `error` event on the bus. */
  onError?: (error: TraceWriteError) => void;
}

export class TraceRecorder {
  private fd: number | null;
  private readonly unsubscribe: () => void;
  private eventCount = 0;
  /** Which file the descriptor is, to notice the path no longer leads to it. */
  private readonly identity: { dev: number; ino: number };
  private lastPathCheck = Date.now();

  private constructor(
    readonly file: string,
    fd: number,
    bus: EventBus,
    private readonly onError: (error: TraceWriteError) => void,
  ) {
    this.fd = fd;
    const st = fstatSync(fd);
    this.identity = { dev: st.dev, ino: st.ino };
    this.unsubscribe = bus.on((event) => this.write(event));
  }

  /** Opens (creating or appending to) `file`, writes a header and records every event `bus` emits from now on. */
  static open(file: string, bus: EventBus, options: TraceRecorderOptions = {}): TraceRecorder {
    let fd: number;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      fd = openSync(file, 'a+', 0o600);
    } catch (err) {
      throw new TraceWriteError(file, err);
    }
    const header: TraceHeader = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      started: new Date().toISOString(),
      pid: process.pid,
      ...(options.meta ? { meta: options.meta } : {}),
    };
    // Deferred: emitting from inside the bus's own dispatch would hand the error event to
    // later listeners before the event being written, out of seq order.
    const onError = options.onError ?? ((e: TraceWriteError) => queueMicrotask(() => bus.emit({ type: 'error', kind: 'internal', message: e.message, fatal: false })));
    try {
      // A torn line left by an earlier killed writer must not swallow our header.
      const prefix = endsInsideLine(fd) ? '\n' : '';
      writeAll(fd, prefix + JSON.stringify(header) + '\n');
    } catch (err) {
      closeSync(fd);
      throw new TraceWriteError(file, err);
    }
    return new TraceRecorder(file, fd, bus, onError);
  }

  /** Events written so far (not counting the header). */
  get written(): number {
    return this.eventCount;
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  close(): void {
    this.unsubscribe();
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  private write(event: EngineEvent): void {
    if (this.fd === null) return;
    try {
      this.checkPath();
      writeAll(this.fd, JSON.stringify(event) + '\n');
      this.eventCount++;
    } catch (err) {
      this.close();
      this.onError(new TraceWriteError(this.file, err));
    }
  }

  /** Throws when the trace path no longer names our file (at most one stat a second). */
  private checkPath(): void {
    const now = Date.now();
    if (now - this.lastPathCheck < PATH_CHECK_INTERVAL_MS) return;
    this.lastPathCheck = now;
    let st;
    try {
      st = statSync(this.file);
    } catch {
      throw new Error('the file (or its folder) was removed; later events are not recorded');
    }
    if (st.dev !== this.identity.dev || st.ino !== this.identity.ino) throw new Error('the file was replaced by another; later events are not recorded');
  }
}

const PATH_CHECK_INTERVAL_MS = 1000;

function endsInsideLine(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/** writeSync may write less than asked (e.g. on a nearly full disk); finish the line or throw. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    const n = writeSync(fd, bytes, offset, bytes.length - offset);
    if (n <= 0) throw new Error('no progress writing');
    offset += n;
  }
}
