/**
 * Writes the engine's events to a trace file as they happen.
 *
 * Invariant: each event is one `fs.writeSync` of one complete line to a descriptor
 * opened for appending, before the emitter goes on. Nothing is buffered in this
 * process, so a process killed (even with SIGKILL) loses no event it had emitted;
 * at worst a line torn by a full disk, which `readTrace` tolerates. Trace files hold
 * protocol data, so they are created 0600.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EngineEvent } from '../../shared/events';
import type { EventBus } from '../bus/event-bus';
import { TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from './trace-format';

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
  /** Called once when a write fails; the recorder then stops. Default: a process warning. */
  onError?: (error: TraceWriteError) => void;
}

export class TraceRecorder {
  private fd: number | null;
  private readonly unsubscribe: () => void;
  private eventCount = 0;

  private constructor(
    readonly file: string,
    fd: number,
    bus: EventBus,
    private readonly onError: (error: TraceWriteError) => void,
  ) {
    this.fd = fd;
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
    const onError = options.onError ?? ((e: TraceWriteError) => process.emitWarning(e.message));
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
      writeAll(this.fd, JSON.stringify(event) + '\n');
      this.eventCount++;
    } catch (err) {
      this.close();
      this.onError(new TraceWriteError(this.file, err));
    }
  }
}

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
