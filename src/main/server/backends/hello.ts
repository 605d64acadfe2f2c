/**
 * A backend that knows one verb: `hello`, answered as Breezy's server does
 * (`('ok', '2')`); every other verb gets Breezy's unknown-verb answer. For tests and
 * benchmarks of the server side without a subprocess.
 */
import { unknownMethodAnswer, type Answer, type ServerCall } from '../core/server-call';
import type { Backend, BackendConnection } from './backend';

const HELLO: Answer = { status: 'S', args: ['ok', '2'] };

export class HelloBackend implements Backend {
  readonly description = 'hello-only handler';

  open(): BackendConnection {
    return { input: 'body', handle: (call: ServerCall) => (call.verb === 'hello' ? HELLO : unknownMethodAnswer(call)), close: () => undefined };
  }

  close(): void {}
}
