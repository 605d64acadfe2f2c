/** What answers the requests a server medium receives. */
import type { MediumKind } from '../../../shared/events';
import type { EventBus } from '../../engine/event-bus';
import type { Upstream } from '../../medium/server-serve-loop';
import type { LocalAnswer } from '../policies/answers';
import type { RequestHead } from '../policies/decide';

export interface ConnectionContext {
  mediumId: string;
  peer: string;
  bus: EventBus;
}

export interface Backend {
  /** One line for listings, e.g. "brz serve --inet --directory=/srv/repos (read-only)". */
  readonly description: string;
  /** How its upstream connections show as client mediums; null when it has none. */
  readonly upstreamMedium: { kind: MediumKind; peer: string } | null;
  /** The upstream for one client connection, or null when this backend answers locally. */
  connect(ctx: ConnectionContext): Upstream | null;
  /** Answers a request locally (used when `connect` gives no upstream). */
  answer(head: RequestHead): LocalAnswer;
  /** Releases what the backend holds across connections. */
  close(): void;
}
