/**
 * Engine activity events: the one vocabulary shared by the recorder (trace files,
 * one event a JSON line), the debug counter, the CLI and the UI.
 *
 * Invariants: `seq` is assigned by the engine's EventBus, strictly increasing per
 * process; `t` is milliseconds since the Unix epoch; every event that concerns a
 * medium carries its `mediumId` (unique per process, e.g. "m12"); call events carry
 * a `callId` unique per process ("c345"). Payload bytes never appear here except as
 * bounded previews: a trace is sensitive data, and secrets (passwords, key material)
 * must never be put into an event.
 */

export type MediumKind =
  | 'tcp-server' // SocketServerMedium
  | 'pipe-server' // PipeServerMedium (stdin/stdout or an SSH exec channel)
  | 'tcp-client' // TcpClientMedium
  | 'ssh-client' // SshClientMedium
  | 'pipes-client' // PipesClientMedium (local `brz serve --inet`)
  | 'socket-client'; // ConnectedSocketClientMedium

export type MediumRole = 'server' | 'client';

/** Which kind of protocol trouble, as in the engine's HpssError. */
export type ErrorKind = 'protocol' | 'transport' | 'ssh' | 'timeout' | 'remote' | 'policy' | 'internal';

/** A Breezy verb kind from request.py, plus `vfs` for the file-level verbs. */
export type VerbKind = 'read' | 'idem' | 'mutate' | 'semi' | 'semivfs' | 'stream' | 'vfs' | 'unknown';

/** JSON rendering of a protocol value: bytes as UTF-8 text when valid, else "hex:…". */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface BodySummary {
  length: number;
  parts: number;
  /** First bytes, rendered like args ("hex:…" when not UTF-8); at most 48 bytes. */
  preview: string;
}

/** A JSON object (a v3 header dict, rendered like args). */
export type JsonObject = { [key: string]: JsonValue };

/**
 * The first bytes of one message as they went over the wire, for the raw view. Bounded
 * (see RAW_CAPTURE_BYTES) so traces stay small: protocol bytes only, never anything else.
 */
export interface RawBytes {
  /** The captured prefix, base64. */
  base64: string;
  /** The message's whole length on the wire so far (more than captured when truncated). */
  length: number;
  truncated: boolean;
}

/** How many leading bytes of each request and response are captured (each direction). */
export const RAW_CAPTURE_BYTES = 4096;

/** The phases of making a connection, in order (a bzr:// connection has the first two only). */
export type ConnectPhase = 'resolve' | 'tcp-connect' | 'ssh-handshake' | 'host-key' | 'authentication' | 'remote-command';

/** One phase of a connection's set-up as it went. */
export interface SetupPhase {
  phase: ConnectPhase;
  ms: number;
  ok: boolean;
}

interface EventBase {
  seq: number;
  t: number;
}

export type EngineEvent =
  | (EventBase & {
      type: 'medium-opened';
      mediumId: string;
      kind: MediumKind;
      role: MediumRole;
      peer: string;
      /** The server or proxy this medium belongs to, when any. */
      ownerId?: string;
      /** A relay's upstream: the client connection it serves (the two are one session). */
      parentMediumId?: string;
    })
  | (EventBase & {
      type: 'medium-closed';
      mediumId: string;
      reason: string;
      calls: number;
      vfsCalls: number;
      /** A client medium's connection ended but the medium lives on: its next use reconnects (same id). */
      reconnectable?: boolean;
    })
  | (EventBase & { type: 'bytes'; mediumId: string; direction: 'read' | 'written'; count: number })
  | (EventBase & {
      type: 'call-started';
      mediumId: string;
      callId: string;
      protocol: 1 | 2 | 3;
      verb: string;
      args: JsonValue[];
      verbKind: VerbKind;
      vfs: boolean;
      requestBody: BodySummary | null;
      /** The request's v3 headers (null for v1/v2); absent when not known at the start. */
      headers?: JsonObject | null;
      /** The request's first bytes; absent when not known at the start. */
      raw?: RawBytes;
      /** The medium the call was relayed over (a proxy's or relay's upstream): it counts there too. */
      upstreamMediumId?: string;
    })
  | (EventBase & {
      type: 'call-finished';
      mediumId: string;
      callId: string;
      verb: string;
      status: 'S' | 'E' | null;
      args: JsonValue[];
      responseBody: BodySummary | null;
      /**
       * Milliseconds from the first request byte to the last response byte, less any connection
       * set-up the call waited for (that is its `connection-setup`).
       */
      durationMs: number;
      /** Set when the call ended without a complete response (peer gone, refused, …). */
      error?: { kind: ErrorKind; message: string };
      /** The response's v3 headers (null for v1/v2). */
      headers?: JsonObject | null;
      /** The response's first bytes (what arrived when the call ended without a whole response). */
      raw?: RawBytes;
      /**
       * The request as finally sent, when `call-started` could not carry it: the app's
       * client reports a call before it has negotiated the version the bytes are in.
       */
      requestHeaders?: JsonObject | null;
      requestRaw?: RawBytes;
      /**
       * The part of `durationMs` spent waiting on the peer: from the request's last byte handed
       * to it (the server, or a relay's upstream) to its response's last byte. The rest is ours.
       */
      peerMs?: number;
    })
  | (EventBase & {
      /**
       * A client connection's set-up (before `medium-opened` for the app's mediums; after it for
       * a relay's upstream, announced as it starts): each phase with its time, so the set-up is
       * its own row and not part of the first call's duration. `ok: false`: the set-up failed in
       * its last phase, for `reason`, and no connection was made.
       */
      type: 'connection-setup';
      mediumId: string;
      kind: MediumKind;
      /** Where it connected to (`host:port`, `user@host:port`). */
      target: string;
      ownerId?: string;
      phases: SetupPhase[];
      /** From the start of the first phase to the end of the last. */
      totalMs: number;
      ok: boolean;
      reason?: string;
    })
  | (EventBase & { type: 'timeout'; mediumId: string; message: string; seconds: number })
  | (EventBase & { type: 'error'; mediumId?: string; kind: ErrorKind; message: string; fatal: boolean })
  | (EventBase & {
      type: 'policy-action';
      mediumId: string;
      ownerId?: string;
      /** The call the action concerns (its parent); absent only for an action on no call (a connection dropped between calls). */
      callId?: string;
      policy: string;
      action: string;
      verb?: string;
      /** Breezy's retry class for the verb (its kind): tells whether a client will retry. */
      retryClass?: VerbKind;
    })
  | (EventBase & {
      type: 'listener';
      ownerId: string;
      state: 'listening' | 'stopped' | 'failed';
      url: string;
      message?: string;
    })
  | (EventBase & {
      type: 'probe-step';
      probeId: string;
      step: string;
      ok: boolean;
      ms: number;
      bytes?: number;
      detail: string;
    })
  | (EventBase & { type: 'probe-verdict'; probeId: string; ok: boolean; verdict: string; fix?: string });

export type EngineEventType = EngineEvent['type'];

/** Distributes an event type over the union so `seq` and `t` can be left to the bus. */
type WithoutStamp<E> = E extends EngineEvent ? Omit<E, 'seq' | 't'> : never;
export type UnstampedEvent = WithoutStamp<EngineEvent>;
