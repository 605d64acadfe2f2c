/**
 * The backends a server can run on, as the UI, the CLI and the API name them. The engine's
 * registry (src/main/server/backends/registry.ts) gives each id its implementation and says
 * whether it can run on this machine; its type demands an entry for every id here.
 */
export const SERVER_BACKENDS = [
  { id: 'breezy', label: 'Breezy', help: 'each connection relayed to a `brz serve --inet` of its own (needs brz)' },
  { id: 'builtin', label: 'Built-in', help: "our own handlers over the directory's files (no Breezy needed)" },
] as const;

export type ServerBackendId = (typeof SERVER_BACKENDS)[number]['id'];

export const SERVER_BACKEND_IDS: readonly ServerBackendId[] = SERVER_BACKENDS.map((b) => b.id);

export function isServerBackendId(value: unknown): value is ServerBackendId {
  return typeof value === 'string' && (SERVER_BACKEND_IDS as readonly string[]).includes(value);
}

/** Whether a backend can run here, and why not (from the engine). */
export interface ServerBackendAvailability {
  id: ServerBackendId;
  label: string;
  help: string;
  available: boolean;
  /** Why it cannot run here, when it cannot. */
  reason?: string;
}
