/**
 * Wire constants of the smart protocol (doc/developers/network-protocol.txt, protocol.py).
 *
 * v1 request:   ARGS "\n" [BULK_BODY]              args: fields joined by 0x01
 * v1 response:  ARGS "\n" [BULK_BODY]
 * v2 request:   "bzr request 2\n" ARGS "\n" [BULK_BODY]
 * v2 response:  "bzr response 2\n" ("success\n" | "failed\n") ARGS "\n" [BULK_BODY | CHUNKED_BODY]
 *   BULK_BODY    = DECIMAL_LEN "\n" BYTES "done\n"
 *   CHUNKED_BODY = "chunked\n" (HEX_LEN "\n" BYTES)* ["ERR\n" (HEX_LEN "\n" BYTES)*] "END\n"
 * v3 message:   "bzr message 3 (bzr 1.6)\n" HEADERS PART* "e"
 *   HEADERS      = UINT32_BE_LEN BENCODED_DICT
 *   PART         = "o" BYTE | "s" UINT32_BE_LEN BENCODED_LIST | "b" UINT32_BE_LEN BYTES
 *   request:  s [b…] e            response:  oS|oE s [b…] [oE s] e
 */

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export const MESSAGE_VERSION_THREE = ascii('bzr message 3 (bzr 1.6)\n');
export const REQUEST_VERSION_TWO = ascii('bzr request 2\n');
export const RESPONSE_VERSION_TWO = ascii('bzr response 2\n');

/** The markers without their "\n", to compare with a line read. */
const line = (marker: Uint8Array): Uint8Array => marker.subarray(0, marker.length - 1);
export const MESSAGE_VERSION_THREE_LINE = line(MESSAGE_VERSION_THREE);
export const REQUEST_VERSION_TWO_LINE = line(REQUEST_VERSION_TWO);
export const RESPONSE_VERSION_TWO_LINE = line(RESPONSE_VERSION_TWO);

export const V2_SUCCESS = 'success';
export const V2_FAILED = 'failed';
export const CHUNKED_HEADER = 'chunked';
export const CHUNKED_END = 'END';
export const CHUNKED_ERR = 'ERR';
export const BULK_TRAILER = ascii('done\n');

export const NEWLINE = 0x0a;
export const ARG_SEPARATOR = 0x01;

/** v3 part kinds. */
export const PART_ONE_BYTE = 0x6f; // 'o'
export const PART_STRUCTURE = 0x73; // 's'
export const PART_BYTES = 0x62; // 'b'
export const PART_END = 0x65; // 'e'

/** v3 `o` part values. (Breezy's encoder also knows 'C', chunked; no Breezy peer sends it, so it is refused as unknown.) */
export const STATUS_SUCCESS = 0x53; // 'S'
export const STATUS_ERROR = 0x45; // 'E'

/** v3 headers, structures and body parts have 4-byte big-endian length prefixes. */
export const MAX_UINT32 = 0xffffffff;

/** v1 responses starting with these are failures (SmartClientRequestProtocolOne._raise_args_if_error). */
export const V1_ERROR_CODES: ReadonlySet<string> = new Set([
  'norepository', 'NoSuchFile', 'FileExists', 'DirectoryNotEmpty', 'ShortReadvError',
  'UnicodeEncodeError', 'UnicodeDecodeError', 'ReadOnlyError', 'nobranch', 'NoSuchRevision',
  'nosuchrevision', 'LockContention', 'UnlockableTransport', 'LockFailed', 'TokenMismatch',
  'ReadError', 'PermissionDenied',
]);

/** v1/v2 generic failure first field (also the "bad request" unknown-verb answer). */
export const V1_GENERIC_ERROR = 'error';
