/**
 * A body as far as it was captured: a call's raw bytes hold the first RAW_CAPTURE_BYTES of
 * each message, so decoding them again with the shared decoders gives the body's first
 * bytes (up to ~4 KiB) rather than the 48-byte preview the events carry. The decode stops
 * where the capture does; nothing else is kept.
 */
import type { RawBytes } from '../../../shared/events';
import { concatBytes, RequestStreamDecoder, ResponseStreamDecoder, type DecodeEvent, type ProtocolVersion } from '../../../shared/protocol';
import { base64ToBytes } from './format';

function collectBody(feed: (onEvent: (e: DecodeEvent) => void) => void): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let sawBody = false;
  try {
    feed((e) => {
      if (e.type === 'body-part-start') sawBody = true;
      if (e.type === 'body-data') parts.push(e.data.slice());
    });
  } catch {
    // The capture ends inside the message (or the bytes are not ours): keep what decoded.
  }
  if (!sawBody) return null;
  return concatBytes(parts);
}

/** The request body's captured bytes; null when the capture holds none. */
export function capturedRequestBody(raw: RawBytes): Uint8Array | null {
  return collectBody((onEvent) => new RequestStreamDecoder(onEvent).feed(base64ToBytes(raw.base64)));
}

/** The response body's captured bytes, decoded as the answer to `verb` in `protocol`. */
export function capturedResponseBody(raw: RawBytes, protocol: ProtocolVersion, verb: string): Uint8Array | null {
  return collectBody((onEvent) => {
    const decoder = new ResponseStreamDecoder(onEvent);
    decoder.expect({ protocol, verb });
    decoder.feed(base64ToBytes(raw.base64));
  });
}
