/**
 * The one contract between the UI and the engine. The Electron shell (IPC through the
 * preload) and the browser shell (HTTP + WebSocket) both implement it, so the renderer
 * runs unchanged in either. Commands go UI → engine and answer with a Result; events
 * go engine → UI in batches on the `engine:events` channel.
 */
import type { EngineEvent, JsonValue } from './events';
import type { PolicySettings } from './policies';
import type { ServerBackendAvailability, ServerBackendId } from './server-backends';

export type { PolicySettings } from './policies';
export type { ServerBackendAvailability, ServerBackendId as Backend } from './server-backends';

export interface ServerStartArgs {
  backend: ServerBackendId;
  dir: string;
  /** HOST:PORT; port 0 picks a free one. */
  listen: string;
  allowWrites: boolean;
  ssh: { listen: string; authorizedKeys: string; hostKey?: string } | null;
  policy?: Partial<PolicySettings>;
  trace?: string;
}

/** How a command that may open an SSH connection trusts it: key, passphrase, known hosts. */
export interface SshTrustArgs {
  identity?: string;
  knownHosts?: string;
  /** Opens an encrypted identity file; never shown or recorded. */
  passphrase?: string;
  /** Accept a host key known_hosts lacks and add it there: 'any', or only the `SHA256:…` fingerprint the user was shown. */
  acceptNewHostKey?: string;
}

export interface ProxyStartArgs extends SshTrustArgs {
  upstream: string;
  listen: string;
  policy?: Partial<PolicySettings>;
  trace?: string;
}

export interface OwnerInfo {
  ownerId: string;
  kind: 'server' | 'proxy';
  urls: string[];
  description: string;
  policy: PolicySettings;
  /** The embedded SSH server's trust facts, so clients can pin its host key. */
  ssh?: OwnerSshInfo;
}

export interface OwnerSshInfo {
  url: string;
  /** `[host]:port keytype base64`, ready for a known_hosts file. */
  knownHostsLine: string;
  fingerprint: string;
}

export interface ProbeArgs extends SshTrustArgs {
  url: string;
}

export interface CallArgs extends SshTrustArgs {
  url: string;
  verb: string;
  args: string[];
  /** Request body, base64; absent for none. */
  bodyBase64?: string;
}

export interface CallResult {
  protocol: 1 | 2 | 3;
  status: 'S' | 'E' | null;
  args: JsonValue[];
  headers: Record<string, JsonValue> | null;
  /** Response body, base64 (capped at 1 MiB; `bodyLength` is the full size). */
  bodyBase64: string | null;
  bodyLength: number;
  ms: number;
  /** The call's id in the event stream, where its headers and raw bytes are. */
  callId?: string;
}

/** Every command: its argument and what it answers. */
export interface Commands {
  'ui:owners:list': { args: null; result: OwnerInfo[] };
  /** The server backends, and whether each can run on this machine. */
  'ui:backends:list': { args: null; result: ServerBackendAvailability[] };
  'ui:server:start': { args: ServerStartArgs; result: OwnerInfo };
  'ui:proxy:start': { args: ProxyStartArgs; result: OwnerInfo };
  'ui:owner:stop': { args: { ownerId: string }; result: null };
  'ui:policy:set': { args: { ownerId: string; policy: Partial<PolicySettings> }; result: OwnerInfo };
  /** VFS refusal for the app's own client (calls and probes sent from the UI). */
  'ui:client:refuse-vfs': { args: { enabled: boolean }; result: { enabled: boolean } };
  /** The app client's settings as the engine holds them (the UI keeps no copy of its own). */
  'ui:client:state': { args: null; result: { refuseVfs: boolean } };
  'ui:probe:start': { args: ProbeArgs; result: { probeId: string } };
  'ui:call:send': { args: CallArgs; result: CallResult };
  /** Events recorded so far (bounded ring), so a UI that attaches late starts complete. */
  'ui:events:replay': { args: null; result: EngineEvent[] };
}

export type CommandName = keyof Commands;
export type CommandArgs<C extends CommandName> = Commands[C]['args'];
export type CommandResult<C extends CommandName> = Commands[C]['result'];

export interface ApiError {
  /** Stable code: `invalid-argument`, `not-found`, `listen-failed`, `ssh`, `transport`, `protocol`, … */
  code: string;
  message: string;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/** Engine → UI: one message per batch (about a frame's worth of events). */
export const EVENTS_CHANNEL = 'engine:events';

/** What the preload exposes as `window.hpss`, and what the browser shell's client implements. */
export interface HpssApi {
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<Result<CommandResult<C>>>;
  /** Subscribes to event batches; returns the unsubscribe function. */
  onEvents(listener: (batch: EngineEvent[]) => void): () => void;
}
