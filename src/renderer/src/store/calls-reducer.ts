/**
 * The calls slice: one append-only list of rows (calls, and the connection events
 * between them) with a key index and a cap (oldest dropped).
 *
 * Performance note: a batch copies the list once (not per event), and the index is a
 * Map kept on append and shared between successive states (positions are absolute, so
 * old entries stay correct; dropped ones are deleted). Nothing reads an old state's
 * index, so sharing it is safe and saves copying 100k entries per frame.
 */
import { callOutcome, callSeverity, closeSeverity, createsBzrDir, isAnsweringPolicy, type CallOutcome, type CallOutcomeInput, type Severity } from '../../../shared/call-outcome';
import type { EngineEvent } from '../../../shared/events';
import { setupText } from '../../../shared/connection-setup-text';
import { type CallRecord, type CallsSlice, type ConnectionRow, type ListRow, rowKey } from './types';

export const DEFAULT_CALL_CAP = 100_000;
/**
 * Only the newest calls keep their raw wire bytes (up to ~11 KB each as base64): at the
 * call cap, raw bytes for every call would cost about a gigabyte.
 */
export const RAW_BYTES_KEPT = 2_000;
/** How far back a call looks for the previous one on its connection (calls of one connection are close together). */
const LOOK_BACK = 256;

export function emptyCalls(cap = DEFAULT_CALL_CAP, rawKept = RAW_BYTES_KEPT): CallsSlice {
  return { list: [], index: new Map(), base: 0, cap, callCount: 0, dropped: 0, verbs: [], pendingPolicy: {}, rawKept, rawFloor: 0 };
}

/** The record without its raw bytes (headers stay: they are small). */
function withoutRaw(record: ListRow): ListRow {
  if (record.row !== 'call' || (!record.requestRaw && !record.responseRaw)) return record;
  const { requestRaw: _request, responseRaw: _response, ...rest } = record;
  return rest;
}

/** A record is judged as it is (no copy: this runs over every call); one a policy acted on, with whether a policy answered it. */
function judged(c: CallRecord): CallOutcomeInput {
  if (c.policyActions === undefined) return c;
  return { ...c, byPolicy: c.policyActions.some((a) => isAnsweringPolicy(a.slice(0, a.indexOf(':')))) };
}

/** The call's meaning, as the shared classification judges it. */
export function outcomeOf(c: CallRecord): CallOutcome {
  return callOutcome(judged(c));
}

/** Its severity only (no text built): for filters and the reducer, over every call. */
export function severityOf(c: CallRecord): Severity {
  return callSeverity(judged(c));
}

type CallEvent = Extract<EngineEvent, { type: 'call-started' | 'call-finished' | 'connection-setup' | 'policy-action' | 'medium-opened' | 'medium-closed' | 'timeout' | 'error' }>;

/** A batch in progress: copies the list on first write only. */
export class CallsDraft {
  private list: ListRow[] | null = null;
  private pending: CallsSlice['pendingPolicy'] | null = null;
  private newVerbs: Set<string> | null = null;
  private callCount: number;

  constructor(private readonly slice: CallsSlice) {
    this.callCount = slice.callCount;
  }

  private writable(): ListRow[] {
    this.list ??= this.slice.list.slice();
    return this.list;
  }

  private find(key: string): number {
    const pos = this.slice.index.get(key);
    return pos === undefined ? -1 : pos - this.slice.base;
  }

  private append(record: ListRow): void {
    if (record.row === 'call') {
      this.callCount++;
      if (!this.slice.verbs.includes(record.verb)) (this.newVerbs ??= new Set()).add(record.verb);
    }
    const list = this.writable();
    this.slice.index.set(rowKey(record), this.slice.base + list.length);
    list.push(record);
  }

  private connectionRow(e: CallEvent, event: ConnectionRow['event'], text: string, severity: ConnectionRow['severity'], suffix = ''): void {
    if (e.type === 'error' && e.mediumId === undefined) return;
    this.append({ row: 'conn', rowId: `e${e.seq}${suffix}`, mediumId: (e as { mediumId: string }).mediumId, startedAt: e.t, event, text, severity });
  }

  private pendingPolicy(): CallsSlice['pendingPolicy'] {
    return (this.pending ??= { ...this.slice.pendingPolicy });
  }

  /** The newest call on a medium, within the look-back. */
  private newestCallOn(mediumId: string, accept?: (c: CallRecord) => boolean): number {
    const list = this.list ?? this.slice.list;
    for (let i = list.length - 1, n = 0; i >= 0 && n < LOOK_BACK; i--, n++) {
      const r = list[i];
      if (r.row === 'call' && r.mediumId === mediumId && (accept === undefined || accept(r))) return i;
    }
    return -1;
  }

  private update(i: number, patch: Partial<CallRecord>): void {
    const list = this.writable();
    list[i] = { ...(list[i] as CallRecord), ...patch };
  }

  /** A `no` from BzrDir.open on this connection was expected: brz creates the bzrdir now. */
  private markExpectedNo(mediumId: string, createArgs: readonly unknown[]): void {
    const i = this.newestCallOn(mediumId, (c) => c.verb.startsWith('BzrDir.open') && c.status === 'S' && c.responseArgs?.[0] === 'no' && createArgs.includes(c.args[0]));
    if (i >= 0) this.update(i, { expected: true });
  }

  /** Applies one event; answers the call it finished, failed (for the owner's trouble), else null. */
  apply(e: CallEvent): CallRecord | null {
    switch (e.type) {
      case 'call-started': {
        if (this.find(e.callId) >= 0) return null;
        const prev = this.newestCallOn(e.mediumId);
        const waiting = (this.pending ?? this.slice.pendingPolicy)[e.callId];
        if (createsBzrDir(e.verb)) this.markExpectedNo(e.mediumId, e.args);
        this.append({
          row: 'call',
          callId: e.callId,
          mediumId: e.mediumId,
          protocol: e.protocol,
          verb: e.verb,
          args: e.args,
          verbKind: e.verbKind,
          vfs: e.vfs,
          requestBody: e.requestBody,
          startedAt: e.t,
          sincePrevMs: prev >= 0 ? e.t - (this.list ?? this.slice.list)[prev].startedAt : null,
          requestBytes: e.raw?.length ?? null,
          responseBytes: null,
          status: 'pending',
          responseArgs: null,
          responseBody: null,
          durationMs: null,
          finishedAt: null,
          ...(e.raw && { requestHeaders: e.headers ?? null, requestRaw: e.raw }),
          ...(waiting && { policyActions: waiting.actions }),
        });
        if (waiting) delete this.pendingPolicy()[e.callId];
        return null;
      }
      case 'call-finished': {
        const patch = {
          status: e.status,
          responseArgs: e.args,
          responseBody: e.responseBody,
          durationMs: e.durationMs,
          ...(e.peerMs !== undefined && { peerMs: e.peerMs }),
          finishedAt: e.t,
          responseBytes: e.raw?.length ?? null,
          ...(e.error && { error: e.error }),
          ...(e.raw && { responseHeaders: e.headers ?? null, responseRaw: e.raw }),
          ...(e.requestRaw && { requestHeaders: e.requestHeaders ?? null, requestRaw: e.requestRaw, requestBytes: e.requestRaw.length }),
        };
        const i = this.find(e.callId);
        if (i >= 0) {
          this.update(i, patch);
          const finished = (this.list ?? this.slice.list)[i] as CallRecord;
          return severityOf(finished) === 'fail' ? finished : null;
        }
        // Its start was before the replay window: keep what we know.
        const record: CallRecord = {
          row: 'call',
          callId: e.callId,
          mediumId: e.mediumId,
          protocol: 3,
          verb: e.verb,
          args: [],
          verbKind: 'unknown',
          vfs: false,
          requestBody: null,
          startedAt: e.t - e.durationMs,
          sincePrevMs: null,
          requestBytes: null,
          ...patch,
        };
        this.append(record);
        return severityOf(record) === 'fail' ? record : null;
      }
      case 'policy-action': {
        const text = `${e.policy}: ${e.action}`;
        if (e.callId === undefined) {
          const breaks = /drop|cut/.test(e.policy);
          this.connectionRow(e, 'policy', `${text}${e.verb ? ` (during ${e.verb})` : ''}`, breaks ? 'fail' : 'quiet');
          return null;
        }
        const i = this.find(e.callId);
        if (i >= 0) {
          const c = (this.list ?? this.slice.list)[i] as CallRecord;
          this.update(i, { policyActions: [...(c.policyActions ?? []), text] });
        } else {
          // Policies decide before `call-started`: the action waits for its call.
          const pending = this.pendingPolicy();
          pending[e.callId] = { mediumId: e.mediumId, actions: [...(pending[e.callId]?.actions ?? []), text] };
        }
        return null;
      }
      case 'connection-setup':
        // Told at its end: the row starts where the set-up did.
        this.append({
          row: 'conn',
          rowId: `e${e.seq}`,
          mediumId: e.mediumId,
          startedAt: e.t - e.totalMs,
          event: 'setup',
          text: setupText(e),
          severity: e.ok ? 'ok' : 'fail',
          setup: { phases: e.phases, totalMs: e.totalMs },
        });
        return null;
      case 'medium-opened':
        this.connectionRow(e, 'connect', `${e.role === 'server' ? 'client connected from' : 'connected to'} ${e.peer} (${e.kind})`, 'ok');
        return null;
      case 'medium-closed': {
        // Actions for a call that never started (its connection went first) are shown on the connection.
        const waiting = Object.entries(this.pending ?? this.slice.pendingPolicy).filter(([, p]) => p.mediumId === e.mediumId);
        for (const [callId, p] of waiting) {
          this.connectionRow(e, 'policy', p.actions.join('; '), 'fail', `.${callId}`);
          delete this.pendingPolicy()[callId];
        }
        const ended = e.reconnectable ? `connection ended: ${e.reason} (reconnects on next use)` : `disconnected: ${e.reason}`;
        this.connectionRow(e, 'disconnect', `${ended} · ${e.calls} calls`, closeSeverity(e.reason));
        return null;
      }
      case 'timeout':
        this.connectionRow(e, 'timeout', e.message, 'fail');
        return null;
      case 'error':
        this.connectionRow(e, 'error', `${e.kind} error: ${e.message}`, e.fatal ? 'fail' : 'quiet');
        return null;
    }
  }

  finish(): CallsSlice {
    const pendingPolicy = this.pending ?? this.slice.pendingPolicy;
    const verbs = this.newVerbs ? [...this.slice.verbs, ...this.newVerbs].sort() : this.slice.verbs;
    if (!this.list) return pendingPolicy === this.slice.pendingPolicy ? this.slice : { ...this.slice, pendingPolicy };
    let list = this.list;
    let { base, dropped, rawFloor } = this.slice;
    let callCount = this.callCount;
    const excess = list.length - this.slice.cap;
    if (excess > 0) {
      for (let i = 0; i < excess; i++) {
        this.slice.index.delete(rowKey(list[i]));
        if (list[i].row === 'call') callCount--;
      }
      list = list.slice(excess);
      base += excess;
      dropped += excess;
    }
    // Each call loses its raw bytes once, when it falls out of the newest `rawKept`.
    const floor = base + list.length - this.slice.rawKept;
    for (let pos = Math.max(rawFloor, base); pos < floor; pos++) list[pos - base] = withoutRaw(list[pos - base]);
    rawFloor = Math.max(rawFloor, floor);
    return { ...this.slice, list, base, callCount, dropped, verbs, pendingPolicy, rawFloor };
  }
}

export function rowByKey(slice: CallsSlice, key: string): ListRow | undefined {
  const pos = slice.index.get(key);
  return pos === undefined ? undefined : slice.list[pos - slice.base];
}

export function callById(slice: CallsSlice, callId: string): CallRecord | undefined {
  const r = rowByKey(slice, callId);
  return r?.row === 'call' ? r : undefined;
}
