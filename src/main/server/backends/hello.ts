/**
 * A handler-only backend that knows one verb: `hello`, answered as Breezy's server does
 * (`('ok', '2')`). Every other verb gets Breezy's unknown-verb answer. For tests of the
 * server medium without a subprocess.
 */
import { unknownMethodAnswer, type LocalAnswer } from '../policies/answers';
import type { RequestHead } from '../policies/decide';
import type { Backend } from './backend';

export class HelloBackend implements Backend {
  readonly description = 'hello-only handler';
  readonly upstreamMedium = null;

  connect(): null {
    return null;
  }

  answer(head: RequestHead): LocalAnswer {
    if (head.verb === 'hello') return { protocol: head.protocol, status: 'S', args: ['ok', '2'] };
    return unknownMethodAnswer(head);
  }

  close(): void {}
}
