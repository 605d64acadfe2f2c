/**
 * The served root's guard, in front of every server backend (the registry wraps each one):
 * every path argument of every path-taking verb is checked by `checkPath` — decoded as
 * Breezy decodes it, repeatedly, normalised, symlinks resolved — before the backend sees
 * the call. A path outside the root is answered here with Breezy's error answer and a
 * `policy-action` event naming the attempt and the call; the connection goes on.
 * Breezy's own server lets `..%2f` and symlinks out; relayed to it unchecked, so would we.
 */
import { checkPath, PATH_ARGUMENTS } from '../confinement';
import { retryClass } from '../core/policy-runner';
import type { Answer, ServerCall } from '../core/server-call';
import type { Backend, BackendConnection, ConnectionContext } from './backend';

export class ConfinedBackend implements Backend {
  readonly description: string;

  constructor(
    private readonly inner: Backend,
    private readonly root: string,
  ) {
    this.description = inner.description;
  }

  open(ctx: ConnectionContext): BackendConnection {
    const inner = this.inner.open(ctx);
    const root = this.root;
    return {
      input: inner.input,
      close: () => inner.close(),
      handle(call: ServerCall): Answer | Promise<Answer> {
        for (const at of PATH_ARGUMENTS.get(call.verb) ?? []) {
          const arg = call.args[at];
          if (arg === undefined) continue;
          const check = checkPath(root, arg, call.verb);
          if (check.ok) continue;
          ctx.bus.emit({
            type: 'policy-action',
            mediumId: ctx.mediumId,
            ...(ctx.ownerId ? { ownerId: ctx.ownerId } : {}),
            callId: call.callId,
            policy: 'confinement',
            action: `refused a path outside the served directory: ${check.attempt}`,
            verb: call.verb,
            retryClass: retryClass(call.verb),
          });
          return check.answer;
        }
        return inner.handle(call);
      },
    };
  }

  close(): void {
    this.inner.close();
  }
}
