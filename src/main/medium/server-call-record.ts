/**
 * One call as a server or proxy sees it: the request's head, how it is answered
 * (relayed or here), and the summaries that `call-started` / `call-finished` carry.
 */
import type { BodySummary, JsonValue, VerbKind } from '../../shared/events';
import type { ProtocolVersion } from '../../shared/protocol';

/** Events show at most this many leading body bytes. */
export const BODY_PREVIEW_BYTES = 48;

/** Counts a message's body parts and keeps its first bytes for the preview. */
export class BodyTally {
  length = 0;
  parts = 0;
  private readonly head = new Uint8Array(BODY_PREVIEW_BYTES);
  private headLength = 0;

  part(): void {
    this.parts += 1;
  }

  data(bytes: Uint8Array): void {
    this.length += bytes.length;
    if (this.headLength < BODY_PREVIEW_BYTES) {
      const take = Math.min(bytes.length, BODY_PREVIEW_BYTES - this.headLength);
      this.head.set(bytes.subarray(0, take), this.headLength);
      this.headLength += take;
    }
  }

  /** null when the message had no body at all. */
  summary(render: (bytes: Uint8Array) => string): BodySummary | null {
    if (this.parts === 0 && this.length === 0) return null;
    return { length: this.length, parts: Math.max(this.parts, 1), preview: render(this.head.subarray(0, this.headLength)) };
  }
}

export type CallRoute =
  | { kind: 'relay' }
  /** Answered here; `bytes` go out once every earlier call's response has. */
  | { kind: 'local'; bytes: Uint8Array }
  /** A policy dropped the connection at this request. */
  | { kind: 'dropped' };

export interface CallRecord {
  callId: string;
  protocol: ProtocolVersion;
  verb: string;
  args: JsonValue[];
  verbKind: VerbKind;
  vfs: boolean;
  route: CallRoute;
  /** When the request's first byte arrived (ms, performance clock). */
  startedAt: number;
  requestBody: BodyTally;
  requestEnded: boolean;
  /** The response decoder's view, for relayed calls. */
  responseBody: BodyTally;
  status: 'S' | 'E' | null;
  responseArgs: JsonValue[];
}
