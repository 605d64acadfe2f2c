/**
 * What answers the calls a server receives: one `Backend` per server or proxy, one
 * `BackendConnection` per client connection. The registry (`registry.ts`) lists them.
 */
import type { EventBus, IdSource } from '../../bus/event-bus';
import type { Answer, ServerCall } from '../core/server-call';

export interface ConnectionContext {
  /** The client connection's medium. */
  mediumId: string;
  peer: string;
  ownerId?: string;
  bus: EventBus;
  /** For a backend's own mediums (a relay's upstream shows as a client medium of the same owner). */
  ids: IdSource;
  /** Ends the client connection now (the upstream is gone); calls not answered yet end with it. */
  closeClient(reason: string): void;
  /** Ends the client connection once the calls asked for so far are answered. */
  finish(reason: string): void;
}

export interface BackendConnection {
  /** What a call carries in: the request's exact bytes (`wire`, relays) or its decoded body. */
  readonly input: 'wire' | 'body';
  /**
   * Answers one call. Calls arrive in request order as soon as their verb is known; a
   * backend may answer later ones before earlier ones finish (the core keeps the order on
   * the wire). Errors to send are answers (status `E`); a thrown error is a bug, reported
   * as an internal error answer.
   */
  handle(call: ServerCall): Answer | Promise<Answer>;
  /** The client connection ended: release what it holds (locks are the client's, as in Breezy). */
  close(): void;
}

export interface Backend {
  /** One line for listings, e.g. "brz serve --inet --directory=/srv/repos (read-only)". */
  readonly description: string;
  open(ctx: ConnectionContext): BackendConnection;
  /** Releases what the backend holds across connections. */
  close(): void;
}
