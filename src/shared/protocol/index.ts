/**
 * The HPSS protocol core: pure, sans-I/O codecs for Bazaar/Breezy smart protocol versions
 * 1, 2 and 3. Feed bytes in, get events out; encode messages to bytes.
 */
export type {
  BValue, BodySummary, DecodeEvent, DecodeEventHandler, DecoderOptions, ExpectedResponse, MessageKind,
  MessageSummary, ProtocolVersion, ResponseStatus,
} from './types';
export { DEFAULT_MAX_STRUCTURE_BYTES } from './types';
export { HpssError, assertNever, type HpssErrorKind, type ProtocolErrorCode } from './errors';
export { bencode, bdecode, DEFAULT_MAX_BENCODE_DEPTH, type BdecodeOptions } from './bencode';
export { RequestStreamDecoder } from './request-stream-decoder';
export { ResponseStreamDecoder } from './response-stream-decoder';
export { MessageCollector, DEFAULT_MAX_COLLECTED_BODY_BYTES, type CollectedMessage } from './message-collector';
export { encodeRequest, encodeResponse, type RequestToEncode, type ResponseToEncode } from './encoders';
export {
  DEFAULT_SOFTWARE_VERSION, defaultHeaders, encodeV3BodyPart, encodeV3BodyPartHeader, encodeV3End, encodeV3MessageStart,
  encodeV3Status, encodeV3Structure,
} from './encode-v3';
export {
  encodeBulkBodyHeader, encodeBulkBodyTrailer, encodeChunkedBodyEnd, encodeChunkedBodyStart, encodeChunkedError,
  encodeChunkHeader, encodeV12Tuple,
} from './encode-v12';
export { detectRequestVersion } from './version-detection';
export {
  ALL_VERBS, VFS_VERBS, isVfsVerb, verbInfo, verbKind, type BodyFraming, type RegistryKind, type V2ResponseBody, type VerbInfo,
} from './verbs';
export { toJsonValue, argsToJson, headersToJson, verbOf, toBoundedJsonValue, argsToBoundedJson, EVENT_ARG_MAX_BYTES } from './render';
export { renderBytes, toHex, utf8Bytes } from './text';
export * from './markers';
export { ConnectionDecoder, type Direction } from './connection-decoder';
export { MessageRenderer, type IncrementalHash, type RenderedMessage } from './message-renderer';
export { pythonRepr, pythonTupleRepr, vfsNotAllowedText, REPR_MAX_BYTES } from './python-repr';
export { unknownMethodArgs, olderServerArgs, v1ResponseStatus } from './breezy-answers';
export { concatBytes } from './bytes';
