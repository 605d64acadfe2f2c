/**
 * One entry per server backend id (src/shared/server-backends.ts): how to make it and
 * whether it can run here. Adding a backend is one file and one line here (and its id in
 * the shared list, which the type below then demands).
 */
import { SERVER_BACKENDS, type ServerBackendAvailability, type ServerBackendId } from '../../../shared/server-backends';
import type { Backend } from './backend';
import { breezyBackendEntry } from './breezy';
import { builtinBackendEntry } from './builtin';

/** What every server backend is made from. */
export interface ServerBackendOptions {
  dir: string;
  allowWrites: boolean;
}

export interface ServerBackendEntry {
  /** null when it can run here, else why not (one line, with what to do). */
  unavailableReason(): string | null;
  create(opts: ServerBackendOptions): Backend;
}

const ENTRIES: Record<ServerBackendId, ServerBackendEntry> = {
  breezy: breezyBackendEntry,
  builtin: builtinBackendEntry,
};

export function serverBackend(id: ServerBackendId): ServerBackendEntry {
  return ENTRIES[id];
}

export function listServerBackends(): ServerBackendAvailability[] {
  return SERVER_BACKENDS.map(({ id, label, help }) => {
    const reason = ENTRIES[id].unavailableReason();
    return reason === null ? { id, label, help, available: true } : { id, label, help, available: false, reason };
  });
}
