/**
 * What the Engine facade needs from the engine modules, as one injectable interface:
 * the real wiring lives in ./real-backends.ts; tests may pass their own.
 */
import type { CallArgs, CallResult, OwnerInfo, OwnerSshInfo, PolicySettings, ProbeArgs, ProxyStartArgs, ServerBackendAvailability, ServerStartArgs } from '../../shared/api';
import type { EventBus, IdSource } from '../bus/event-bus';

/** A running server or proxy, as `src/main/server` hands it out. */
export interface RunningOwner {
  ownerId: string;
  kind: OwnerInfo['kind'];
  urls: string[];
  description: string;
  ssh?: OwnerSshInfo;
  policy(): PolicySettings;
  setPolicy(partial: Partial<PolicySettings>): unknown;
  stop(): Promise<void> | void;
}

/** Options that apply to the app's own client (single calls and probes). */
export interface ClientOptions {
  refuseVfs: boolean;
}

export interface EngineBackends {
  /** The server backends and whether each can run here. */
  listBackends(): ServerBackendAvailability[];
  startServer(args: ServerStartArgs, bus: EventBus, ids: IdSource): Promise<RunningOwner>;
  startProxy(args: ProxyStartArgs, bus: EventBus, ids: IdSource): Promise<RunningOwner>;
  /** Runs a probe to its verdict, emitting `probe-step` and `probe-verdict` events under `probeId`. */
  probe(args: ProbeArgs, probeId: string, client: ClientOptions, bus: EventBus, ids: IdSource): Promise<void>;
  call(args: CallArgs, client: ClientOptions, bus: EventBus, ids: IdSource): Promise<CallResult>;
}
