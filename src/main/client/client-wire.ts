/**
 * The wire detail of a client's calls. A client reports a call before it knows which
 * version the request goes out in (negotiation may fall back), so the request's headers
 * and first bytes go with `call-finished`, as finally sent, beside the response's.
 */
import type { JsonObject, RawBytes } from '../../shared/events';
import { defaultHeaders, type BValue, type ProtocolVersion } from '../../shared/protocol';
import { HeadersJson, type RawCapture } from '../medium/wire-capture';

export interface FinishedWire {
  headers: JsonObject | null;
  raw?: RawBytes;
  requestHeaders: JsonObject | null;
  requestRaw: RawBytes;
}

/** One per client: its request headers are the same for every v3 request. */
export class ClientWire {
  private readonly requestHeaders: JsonObject | null;
  private readonly responseHeaders = new HeadersJson();

  constructor(headers: Map<string, BValue> = defaultHeaders()) {
    this.requestHeaders = new HeadersJson().of(headers);
  }

  /** `protocol`: the version the request went out in; `response` null when no response began. */
  finished(protocol: ProtocolVersion, request: RawCapture, responseHeaders: Map<string, BValue> | null | undefined, response: RawCapture | null | undefined): FinishedWire {
    return {
      headers: this.responseHeaders.of(responseHeaders ?? null),
      ...(response ? { raw: response.toJson() } : {}),
      requestHeaders: protocol === 3 ? this.requestHeaders : null,
      requestRaw: request.toJson(),
    };
  }
}
