/**
 * One entry per server backend id (src/shared/server-backends.ts): how to make it and
 * whether it can run here. Adding a backend is one file and one line here (and its id in
 * the shared list, which the type below then demands).
 */
import { SERVER_BACKENDS, type ServerBackendAvailability, type ServerBackendId } from '../../../shared/server-backends';
import type { Backend } from './backend';
import { ConfinedBackend } from './confined';
import { breezyBackendEntry } from './breezy';
import { builtinBackendEntry } from './builtin';

/** What every server backend is made from. */
export interface ServerBackendOptions {
  dir: string;
  allowWrites: boolean;
  /** Serving many connections (a listener): a backend may prepare ahead (Breezy's spare process). */
  warm?: boolean;
  /** For a backend that runs processes: how many at once. */
  maxProcesses?: number;
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

/** A server backend with the served root's guard in front of it (confined.ts): every front gets this one. */
export function createServerBackend(id: ServerBackendId, opts: ServerBackendOptions): Backend {
  return new ConfinedBackend(ENTRIES[id].create(opts), opts.dir);
}

export function listServerBackends(): ServerBackendAvailability[] {
  return SERVER_BACKENDS.map(({ id, label, help }) => {
    const reason = ENTRIES[id].unavailableReason();
    return reason === null ? { id, label, help, available: true } : { id, label, help, available: false, reason };
  });
}
