/**
 * The calls slice: append-only list with a callId index and a cap (oldest dropped).
 *
 * Performance note: a batch copies the list once (not per event), and the index is a
 * Map kept on append and shared between successive states (positions are absolute, so
 * old entries stay correct; dropped ones are deleted). Nothing reads an old state's
 * index, so sharing it is safe and saves copying 100k entries per frame.
 */
import type { EngineEvent } from '../../../shared/events';
import type { CallRecord, CallsSlice } from './types';

export const DEFAULT_CALL_CAP = 100_000;
/**
 * Only the newest calls keep their raw wire bytes (up to ~11 KB each as base64): at the
 * call cap, raw bytes for every call would cost about a gigabyte.
 */
export const RAW_BYTES_KEPT = 2_000;

export function emptyCalls(cap = DEFAULT_CALL_CAP, rawKept = RAW_BYTES_KEPT): CallsSlice {
  return { list: [], index: new Map(), base: 0, cap, dropped: 0, verbs: [], pendingPolicy: {}, rawKept, rawFloor: 0 };
}

/** The record without its raw bytes (headers stay: they are small). */
function withoutRaw(record: CallRecord): CallRecord {
  if (!record.requestRaw && !record.responseRaw) return record;
  const { requestRaw: _request, responseRaw: _response, ...rest } = record;
  return rest;
}

type CallEvent = Extract<EngineEvent, { type: 'call-started' | 'call-finished' | 'policy-action' | 'medium-closed' }>;

/** A batch in progress: copies the list on first write only. */
export class CallsDraft {
  private list: CallRecord[] | null = null;
  private pending: Record<string, string[]> | null = null;
  private newVerbs: Set<string> | null = null;

  constructor(private readonly slice: CallsSlice) {}

  private writable(): CallRecord[] {
    this.list ??= this.slice.list.slice();
    return this.list;
  }

  private find(callId: string): number {
    const pos = this.slice.index.get(callId);
    return pos === undefined ? -1 : pos - this.slice.base;
  }

  private append(record: CallRecord): void {
    if (!this.slice.verbs.includes(record.verb)) (this.newVerbs ??= new Set()).add(record.verb);
    const list = this.writable();
    this.slice.index.set(record.callId, this.slice.base + list.length);
    list.push(record);
  }

  private pendingFor(mediumId: string): string[] | undefined {
    return (this.pending ?? this.slice.pendingPolicy)[mediumId];
  }

  private setPending(mediumId: string, actions: string[] | undefined): void {
    const pending = (this.pending ??= { ...this.slice.pendingPolicy });
    if (actions) pending[mediumId] = actions;
    else delete pending[mediumId];
  }

  /** The newest call on a medium (bounded look-back: calls of one medium are close together). */
  private newestOn(mediumId: string, accept: (c: CallRecord) => boolean = () => true): number {
    const list = this.list ?? this.slice.list;
    for (let i = list.length - 1, n = 0; i >= 0 && n < 256; i--, n++) {
      if (list[i].mediumId === mediumId && accept(list[i])) return i;
    }
    return -1;
  }

  private attach(i: number, actions: string[]): void {
    const list = this.list ?? this.slice.list;
    this.update(i, { policyActions: [...(list[i].policyActions ?? []), ...actions] });
  }

  private update(i: number, patch: Partial<CallRecord>): void {
    const list = this.writable();
    list[i] = { ...list[i], ...patch };
  }

  apply(e: CallEvent): void {
    switch (e.type) {
      case 'call-started': {
        if (this.find(e.callId) >= 0) return;
        this.append({
          callId: e.callId,
          mediumId: e.mediumId,
          protocol: e.protocol,
          verb: e.verb,
          args: e.args,
          verbKind: e.verbKind,
          vfs: e.vfs,
          requestBody: e.requestBody,
          startedAt: e.t,
          status: 'pending',
          responseArgs: null,
          responseBody: null,
          durationMs: null,
          finishedAt: null,
          ...(e.raw && { requestHeaders: e.headers ?? null, requestRaw: e.raw }),
          ...(this.pendingFor(e.mediumId) && { policyActions: this.pendingFor(e.mediumId) }),
        });
        if (this.pendingFor(e.mediumId)) this.setPending(e.mediumId, undefined);
        return;
      }
      case 'call-finished': {
        const patch = {
          status: e.status,
          responseArgs: e.args,
          responseBody: e.responseBody,
          durationMs: e.durationMs,
          finishedAt: e.t,
          ...(e.error && { error: e.error }),
          ...(e.raw && { responseHeaders: e.headers ?? null, responseRaw: e.raw }),
          ...(e.requestRaw && { requestHeaders: e.requestHeaders ?? null, requestRaw: e.requestRaw }),
        };
        const i = this.find(e.callId);
        if (i >= 0) return this.update(i, patch);
        // Its start was before the replay window: keep what we know.
        this.append({
          callId: e.callId,
          mediumId: e.mediumId,
          protocol: 3,
          verb: e.verb,
          args: [],
          verbKind: 'unknown',
          vfs: false,
          requestBody: null,
          startedAt: e.t - e.durationMs,
          ...patch,
        });
        return;
      }
      case 'policy-action': {
        const text = `${e.policy}: ${e.action}`;
        // A call in flight with this verb gets it; else it is for the call about to start.
        const i = this.newestOn(e.mediumId, (c) => c.status === 'pending' && (e.verb === undefined || c.verb === e.verb));
        if (i >= 0) this.attach(i, [text]);
        else this.setPending(e.mediumId, [...(this.pendingFor(e.mediumId) ?? []), text]);
        return;
      }
      case 'medium-closed': {
        // Actions with no call to follow (e.g. a dropped connection) go to the medium's last call.
        const waiting = this.pendingFor(e.mediumId);
        if (!waiting) return;
        const i = this.newestOn(e.mediumId);
        if (i >= 0) this.attach(i, waiting);
        this.setPending(e.mediumId, undefined);
        return;
      }
    }
  }

  finish(): CallsSlice {
    const pendingPolicy = this.pending ?? this.slice.pendingPolicy;
    const verbs = this.newVerbs ? [...this.slice.verbs, ...this.newVerbs].sort() : this.slice.verbs;
    if (!this.list) return pendingPolicy === this.slice.pendingPolicy ? this.slice : { ...this.slice, pendingPolicy };
    let list = this.list;
    let { base, dropped, rawFloor } = this.slice;
    const excess = list.length - this.slice.cap;
    if (excess > 0) {
      for (let i = 0; i < excess; i++) this.slice.index.delete(list[i].callId);
      list = list.slice(excess);
      base += excess;
      dropped += excess;
    }
    // Each call loses its raw bytes once, when it falls out of the newest `rawKept`.
    const floor = base + list.length - this.slice.rawKept;
    for (let pos = Math.max(rawFloor, base); pos < floor; pos++) list[pos - base] = withoutRaw(list[pos - base]);
    rawFloor = Math.max(rawFloor, floor);
    return { ...this.slice, list, base, dropped, verbs, pendingPolicy, rawFloor };
  }
}

export function callById(slice: CallsSlice, callId: string): CallRecord | undefined {
  const pos = slice.index.get(callId);
  return pos === undefined ? undefined : slice.list[pos - slice.base];
}
