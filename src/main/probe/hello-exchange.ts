/**
 * The probe's `hello`, done by hand on the raw medium rather than through the smart client,
 * so whatever comes back can be explained: the v3 answer, bytes before the marker, an old
 * server's v1 "bad request", a server that ended, or something else entirely.
 */
import {
  HpssError, MESSAGE_VERSION_THREE, MessageCollector, ResponseStreamDecoder, encodeRequest, utf8Bytes, type CollectedMessage,
} from '../../shared/protocol';
import type { ClientMedium } from '../medium/client-medium';
import { isV1BadRequest, markerOffset } from './remote-diagnosis';

/** More than this without a marker is not a smart server. */
const MAX_UNEXPLAINED_BYTES = 64 * 1024;

export type HelloOutcome =
  | { kind: 'v3'; message: CollectedMessage }
  /** Bytes before the v3 marker (the answer itself may follow them). */
  | { kind: 'pre-marker'; junk: Uint8Array }
  /** The server did not understand v3 and answered in v1: an older server. */
  | { kind: 'v3-not-understood'; bytes: Uint8Array }
  | { kind: 'ended'; bytes: Uint8Array }
  | { kind: 'timeout'; bytes: Uint8Array }
  | { kind: 'not-smart'; bytes: Uint8Array };

const TIMED_OUT = Symbol('timeout');

export async function sayHello(medium: ClientMedium, timeoutMs: number): Promise<HelloOutcome> {
  try {
    await medium.write(encodeRequest({ protocol: 3, args: [utf8Bytes('hello')] }));
  } catch (err) {
    if (err instanceof HpssError && err.code === 'connection-reset') return { kind: 'ended', bytes: Buffer.alloc(0) };
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  let received = Buffer.alloc(0);
  for (;;) {
    const chunk = await readBefore(medium, deadline);
    if (chunk === TIMED_OUT) return isV1BadRequest(received) ? { kind: 'v3-not-understood', bytes: received } : { kind: 'timeout', bytes: received };
    if (chunk === null) return received.length === 0 ? { kind: 'ended', bytes: received } : unexplained(received, true);
    received = Buffer.concat([received, chunk]);
    const at = markerOffset(received);
    if (at > 0) return { kind: 'pre-marker', junk: received.subarray(0, at) };
    if (at === 0) {
      const message = decodeWhole(received);
      if (message) return { kind: 'v3', message };
      continue;
    }
    const prefix = Math.min(received.length, MESSAGE_VERSION_THREE.length);
    const couldBeMarker = received.subarray(0, prefix).equals(Buffer.from(MESSAGE_VERSION_THREE.subarray(0, prefix)));
    if (couldBeMarker) continue;
    if (isV1BadRequest(received) && received.includes(0x0a)) return { kind: 'v3-not-understood', bytes: received };
    if (received.length > MAX_UNEXPLAINED_BYTES) return { kind: 'not-smart', bytes: received };
  }
}

function unexplained(bytes: Buffer, ended: boolean): HelloOutcome {
  if (isV1BadRequest(bytes)) return { kind: 'v3-not-understood', bytes };
  return ended ? { kind: 'not-smart', bytes } : { kind: 'timeout', bytes };
}

/** The whole v3 hello answer, or null while bytes are missing. */
function decodeWhole(bytes: Buffer): CollectedMessage | null {
  let message: CollectedMessage | null = null;
  const collector = new MessageCollector((m) => (message = m));
  const decoder = new ResponseStreamDecoder(collector.onEvent);
  decoder.expect({ protocol: 3, verb: 'hello' });
  decoder.feed(bytes);
  return message;
}

/** The next chunk; null at the end of the stream, a reset included (what came before still counts). */
async function readBefore(medium: ClientMedium, deadline: number): Promise<Buffer | null | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([medium.read(), timeout]);
  } catch (err) {
    if (err instanceof HpssError && err.code === 'connection-reset') return null;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
