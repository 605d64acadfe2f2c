/**
 * Serves one stream-pair session — an SSH exec channel or `serve --inet`'s
 * stdin/stdout — through a PipeServerMedium and the same serve loop, backend and
 * policies as a TCP connection. Resolves with the medium's close reason.
 */
import type { Readable, Writable } from 'node:stream';
import type { PolicySettings } from '../../../shared/api';
import type { EventBus, IdSource } from '../../engine/event-bus';
import { PipeServerMedium } from '../../medium/pipe-server-medium';
import { ServeLoop } from '../../medium/server-serve-loop';
import type { Backend } from '../backends/backend';
import { decideRequest } from '../policies/decide';

/** The live policies of the owning server (a PolicyStore, or a running owner's `policy`). */
export interface PolicySource {
  get(): PolicySettings;
}

export interface PipeServeContext {
  backend: Backend;
  policy: PolicySource;
  bus: EventBus;
  ids: IdSource;
  ownerId?: string;
}

export function servePipe(input: Readable, output: Writable, peer: string, ctx: PipeServeContext): Promise<string> {
  const { backend, policy, bus, ids, ownerId } = ctx;
  const medium = new PipeServerMedium({ input, output, peer, bus, ids, ownerId, clientTimeoutSec: () => policy.get().clientTimeoutSec });
  const loop = new ServeLoop({
    medium,
    upstream: backend.connect({ mediumId: medium.id, peer, bus }),
    bus,
    ids,
    gate: { policy: () => policy.get(), decide: decideRequest, answer: (head) => backend.answer(head) },
  });
  return new Promise((resolve) => {
    medium.once('close', resolve);
    // The medium reports its errors as events; this keeps them from crashing the process.
    medium.on('error', () => undefined);
    loop.start();
  });
}
