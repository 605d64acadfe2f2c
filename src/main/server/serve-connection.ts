/**
 * Puts a server medium to work: its backend connection and its connection core, wired
 * to each other and to the medium. The one place TCP, SSH-channel and stdin/stdout
 * connections become served connections.
 */
import type { PolicySettings } from '../../shared/policies';
import type { EventBus, IdSource } from '../bus/event-bus';
import type { ServerMedium } from '../medium/server-medium';
import type { Backend } from './backends/backend';
import { ConnectionCore } from './core/connection-core';

/** The live policies of the owning server (a PolicyStore, or a running owner's `policy`). */
export interface PolicySource {
  get(): PolicySettings;
}

export interface ServeContext {
  backend: Backend;
  policy: PolicySource;
  bus: EventBus;
  ids: IdSource;
  ownerId?: string;
}

export function serveConnection(medium: ServerMedium, ctx: ServeContext): ConnectionCore {
  const { bus, ids } = ctx;
  let core: ConnectionCore | null = null;
  const backend = ctx.backend.open({
    mediumId: medium.id,
    peer: medium.peer,
    ownerId: medium.ownerId,
    bus,
    ids,
    closeClient: (reason) => medium.close(reason),
    finish: (reason) => core?.stop(reason),
  });
  core = new ConnectionCore({
    mediumId: medium.id,
    ownerId: medium.ownerId,
    sink: { write: (bytes) => medium.write(bytes), close: (reason) => medium.close(reason) },
    backend,
    policy: () => ctx.policy.get(),
    emit: (event) => bus.emit(event),
    ids,
  });
  // The medium reports its errors as events; this keeps them from crashing the process.
  medium.on('error', () => undefined);
  medium.start(core);
  return core;
}
