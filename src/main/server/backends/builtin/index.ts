/**
 * The built-in backend: our own handlers over the files of the served directory, so a test
 * server runs where Breezy is not installed. Verbs it knows are answered from the verb table
 * (`verbs.ts`); every other verb gets Breezy's unknown-verb answer, on which a brz client
 * falls back to older verbs or the VFS, as it does with an older Breezy server.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { unknownMethodAnswer, type Answer, type ServerCall } from '../../core/server-call';
import type { Backend, BackendConnection } from '../backend';
import type { ServerBackendEntry, ServerBackendOptions } from '../registry';
import { arityError, type BuiltinContext, type VerbHandler, type VerbTable } from './verb-table';
import { ParentMapCache } from './revision-graph';
import { BUILTIN_VERBS } from './verbs';

export class BuiltinBackend implements Backend {
  readonly description: string;
  private readonly ctx: BuiltinContext;

  constructor(
    opts: ServerBackendOptions,
    private readonly verbs: VerbTable = BUILTIN_VERBS,
  ) {
    const root = resolve(opts.dir);
    // Every path is confined under the root's real path: it must exist before anything is served.
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`cannot serve ${root}: not a directory`);
    this.ctx = { root, allowWrites: opts.allowWrites, graphs: new ParentMapCache() };
    this.description = `built-in handlers over ${this.ctx.root}${opts.allowWrites ? '' : ' (read-only)'}`;
  }

  open(): BackendConnection {
    const { ctx, verbs } = this;
    return {
      input: 'body',
      handle(call: ServerCall): Answer | Promise<Answer> {
        const handler = verbs.get(call.verb);
        const refusal = handler ? arityError(handler, call.args) : unknownMethodAnswer(call);
        // A refusal leaves the request body unread: the core drops it as it comes.
        if (!refusal) return (handler as VerbHandler).run(call, ctx);
        return refusal;
      },
      close() {},
    };
  }

  close(): void {}
}

export const builtinBackendEntry: ServerBackendEntry = {
  unavailableReason: () => null,
  create: (opts) => new BuiltinBackend(opts),
};
