/**
 * Builds one message's events and its summary while a decoder walks the bytes. The v1/v2
 * and v3 decoders share it, so both emit the same event sequence:
 *   message-start, [headers], [status], args, (body-part-start, body-data*, body-part-end)*,
 *   [post-body-error], message-end
 */
import type {
  BValue, BodySummary, DecodeEventHandler, MessageKind, MessageSummary, ProtocolVersion, ResponseStatus,
} from './types';

export class MessageBuilder {
  kind: MessageKind = 'request';
  protocol: ProtocolVersion = 3;
  start = 0;
  headers: Map<string, BValue> | null = null;
  status: ResponseStatus | null = null;
  args: BValue[] | null = null;
  parts: string[] | null = null;
  private body: BodySummary | null = null;
  postBodyStatus: ResponseStatus | null = null;
  postBodyArgs: BValue[] | null = null;
  /** v3: a body part has been seen (responses) or args have (requests): later `o`/`s` are post-body. */
  inBody = false;

  constructor(private readonly emit: DecodeEventHandler) {}

  begin(kind: MessageKind, protocol: ProtocolVersion, offset: number): void {
    this.kind = kind;
    this.protocol = protocol;
    this.start = offset;
    this.headers = null;
    this.status = null;
    this.args = null;
    this.parts = protocol === 3 ? [] : null;
    this.body = null;
    this.postBodyStatus = null;
    this.postBodyArgs = null;
    this.inBody = false;
    this.emit({ type: 'message-start', kind, protocol, offset });
  }

  setHeaders(headers: Map<string, BValue>): void {
    this.headers = headers;
    this.emit({ type: 'headers', headers });
  }

  setStatus(status: ResponseStatus): void {
    this.status = status;
    this.emit({ type: 'status', status });
  }

  setArgs(args: BValue[]): void {
    this.args = args;
    this.emit({ type: 'args', args });
  }

  /** v1/v2: how the body is framed, even before (or without) any part. */
  setEncoding(encoding: 'bulk' | 'chunked'): void {
    this.body ??= { length: 0, parts: 0, partLengths: [], encoding };
  }

  bodyPartStart(length: number): void {
    const body = (this.body ??= { length: 0, parts: 0, partLengths: [] });
    body.parts++;
    body.partLengths.push(length);
    body.length += length;
    this.emit({ type: 'body-part-start', length });
  }

  bodyData(data: Uint8Array): void {
    this.emit({ type: 'body-data', data });
  }

  bodyPartEnd(): void {
    this.emit({ type: 'body-part-end' });
  }

  postBodyError(args: BValue[]): void {
    this.postBodyStatus = 'E';
    this.postBodyArgs = args;
    this.emit({ type: 'post-body-error', status: 'E', args });
  }

  end(endOffset: number): void {
    const summary: MessageSummary = {
      kind: this.kind,
      protocol: this.protocol,
      headers: this.headers,
      status: this.status,
      args: this.args ?? [],
      body: this.body,
    };
    if (this.parts) summary.parts = this.parts;
    if (this.postBodyStatus) summary.postBodyStatus = this.postBodyStatus;
    if (this.postBodyArgs) summary.postBodyArgs = this.postBodyArgs;
    this.emit({ type: 'message-end', offset: this.start, length: endOffset - this.start, summary });
  }
}
