/**
 * The mediums slice: one row per connection with live counters. Copy-on-write per
 * batch; closed mediums beyond MAX_CLOSED_MEDIUMS are forgotten, oldest first.
 */
import type { EngineEvent } from '../../../shared/events';
import { countMediumEvent, emptyCounters } from '../../../shared/medium-counters';
import type { MediumRow, MediumsSlice } from './types';

export const MAX_CLOSED_MEDIUMS = 2_000;
/** Enough for the failed set-ups whose calls can still arrive (a call reports right after its connect fails). */
export const MAX_FAILED_SETUPS = 256;

export function emptyMediums(): MediumsSlice {
  return { byId: {}, order: [], failedSetups: [] };
}

type MediumEvent = Extract<EngineEvent, { mediumId: string }> | Extract<EngineEvent, { type: 'error' }>;

export class MediumsDraft {
  private byId: Record<string, MediumRow> | null = null;
  private added: string[] = [];
  private failedSetups: string[] | null = null;

  constructor(private readonly slice: MediumsSlice) {}

  private row(mediumId: string, t: number): MediumRow {
    const byId = (this.byId ??= { ...this.slice.byId });
    const existing = byId[mediumId];
    if (existing) {
      // Copy once per batch per row: rows are shared with the previous state.
      if (this.slice.byId[mediumId] === existing) byId[mediumId] = { ...existing };
      return byId[mediumId];
    }
    // An event before its medium-opened (outside the replay window): a placeholder row.
    const row: MediumRow = {
      mediumId,
      kind: 'tcp-client',
      role: 'client',
      peer: '?',
      state: 'open',
      ...emptyCounters(),
      openedAt: t,
      lastActivityAt: t,
    };
    byId[mediumId] = row;
    this.added.push(mediumId);
    return row;
  }

  /** Whether this medium's set-up failed before it ever opened (it has no row, and gets none). */
  neverOpened(mediumId: string): boolean {
    return !this.get(mediumId) && (this.failedSetups ?? this.slice.failedSetups).includes(mediumId);
  }

  apply(e: MediumEvent): void {
    if (e.mediumId === undefined) return;
    if (e.type === 'connection-setup') {
      // A relay's upstream opened before its set-up: it keeps its row and its close reason.
      if (!e.ok && !this.get(e.mediumId)) this.failedSetups = [...(this.failedSetups ?? this.slice.failedSetups), e.mediumId].slice(-MAX_FAILED_SETUPS);
      return;
    }
    if (e.type === 'call-started' && e.upstreamMediumId) this.applyTo(e.upstreamMediumId, e);
    this.applyTo(e.mediumId, e);
  }

  private applyTo(mediumId: string, e: MediumEvent): void {
    // A failed connect reports an error for a medium that never opened: no row for it; nor do its calls.
    if ((e.type === 'error' || e.type === 'medium-closed') && !this.get(mediumId)) return;
    if (e.type !== 'medium-opened' && this.neverOpened(mediumId)) return;
    const row = this.row(mediumId, e.t);
    row.lastActivityAt = e.t;
    switch (e.type) {
      case 'medium-opened':
        Object.assign(row, { kind: e.kind, role: e.role, peer: e.peer, ownerId: e.ownerId, openedAt: e.t, state: 'open' });
        // A relay's upstream names the client connection it serves: the two are one session.
        if (e.parentMediumId) {
          row.pairId = e.parentMediumId;
          this.row(e.parentMediumId, e.t).pairId = mediumId;
        }
        return;
      case 'medium-closed':
        // The engine's own count is authoritative (it saw calls we may not have).
        Object.assign(row, { state: e.reconnectable ? 'idle' : 'closed', closeReason: e.reason, closedAt: e.t, calls: Math.max(row.calls, e.calls), vfsCalls: Math.max(row.vfsCalls, e.vfsCalls) });
        return;
      case 'call-finished':
        // Failures only: an error reply (status E) is an answer, not trouble on the medium.
        if (e.error) row.errors++;
        return;
      default:
        countMediumEvent(row, e);
        return;
    }
  }

  /** A medium of this batch or the slice (read-only). */
  get(mediumId: string): MediumRow | undefined {
    return (this.byId ?? this.slice.byId)[mediumId];
  }

  finish(): MediumsSlice {
    const failedSetups = this.failedSetups ?? this.slice.failedSetups;
    if (!this.byId) return failedSetups === this.slice.failedSetups ? this.slice : { ...this.slice, failedSetups };
    const byId = this.byId;
    let order = this.added.length ? [...this.added.reverse(), ...this.slice.order] : this.slice.order;
    const closed = order.filter((id) => byId[id].state === 'closed');
    if (closed.length > MAX_CLOSED_MEDIUMS) {
      const forget = new Set(closed.slice(MAX_CLOSED_MEDIUMS));
      for (const id of forget) delete byId[id];
      order = order.filter((id) => !forget.has(id));
    }
    return { byId, order, failedSetups };
  }
}
