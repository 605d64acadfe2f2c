/** Every change to the UI state is one of these; the reducer is the only place that applies them. */
import type { OwnerInfo } from '../../../shared/api';
import type { EngineEvent } from '../../../shared/events';
import type { CallFilters, Notice, ThemeChoice, UiSlice } from './types';

export type Action =
  | { type: 'events'; events: EngineEvent[] }
  | { type: 'reset' }
  /** Forgets the calls, connections and charts shown; what arrives later still shows. */
  | { type: 'clear-activity' }
  | { type: 'trace-shown'; file: { name: string; events: number } | null }
  | { type: 'owners'; owners: OwnerInfo[] }
  | { type: 'owner-updated'; owner: OwnerInfo }
  | { type: 'owner-removed'; ownerId: string }
  | { type: 'probe-started'; probeId: string; url: string; t: number }
  | { type: 'select-call'; callId: string | null }
  | { type: 'filters'; filters: Partial<CallFilters> }
  | { type: 'theme'; theme: ThemeChoice }
  | { type: 'client-refuse-vfs'; enabled: boolean }
  | { type: 'notice'; notice: Omit<Notice, 'id'> }
  | { type: 'dismiss-notice'; id: number }
  | { type: 'connection'; state: UiSlice['connection'] };

export function assertNever(x: never): never {
  throw new Error(`unhandled action ${JSON.stringify(x)}`);
}
