/** Where a failure came from; shared with the engine's `error` events. */
export type HpssErrorKind = 'protocol' | 'transport' | 'ssh' | 'timeout' | 'remote';

/**
 * Codes the protocol core raises. Other layers add their own (strings are open on purpose:
 * mediums and servers reuse this class with their codes).
 */
export type ProtocolErrorCode =
  | 'bad-marker'
  | 'bad-length'
  | 'bad-part'
  | 'bad-status'
  | 'bad-headers'
  | 'bencode'
  | 'too-large'
  | 'truncated'
  | 'unexpected-response'
  | 'body-too-large'
  | 'decoder-failed';

/** The one error type for protocol trouble: a kind, a code, fatal or not, and where in the stream. */
export class HpssError extends Error {
  readonly kind: HpssErrorKind;
  readonly code: string;
  readonly fatal: boolean;
  /** Byte offset in the direction's stream where the trouble was found, when known. */
  readonly offset?: number;

  constructor(kind: HpssErrorKind, code: string, message: string, opts: { fatal?: boolean; offset?: number } = {}) {
    super(opts.offset === undefined ? message : `${message} (at byte ${opts.offset})`);
    this.name = 'HpssError';
    this.kind = kind;
    this.code = code;
    this.fatal = opts.fatal ?? true;
    if (opts.offset !== undefined) this.offset = opts.offset;
  }
}

/** A fatal protocol error at a stream offset: what every decoder throws on malformed bytes. */
export function protocolError(code: ProtocolErrorCode, message: string, offset?: number): HpssError {
  return new HpssError('protocol', code, message, { fatal: true, offset });
}

/** Closes exhaustive switches: a compile error when a case is missing, a throw if reached. */
export function assertNever(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
