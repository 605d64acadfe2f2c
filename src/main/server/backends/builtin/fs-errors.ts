/**
 * A filesystem error as Breezy's server answers it: LocalTransport `_translate_error`
 * (transport/__init__.py) turns an OSError into a Breezy error, request.py
 * `_translate_error` turns that into the answer tuple.
 */
import type { MessageAnswer, ServerCall } from '../../core/server-call';

/** The OS message Python prints for an errno (`[Errno 21] Is a directory`). */
const STRERROR: Readonly<Record<string, [number, string]>> = {
  EISDIR: [21, 'Is a directory'],
  ENAMETOOLONG: [36, 'File name too long'],
  ELOOP: [40, 'Too many levels of symbolic links'],
  EXDEV: [18, 'Invalid cross-device link'],
  ENOSPC: [28, 'No space left on device'],
  EROFS: [30, 'Read-only file system'],
  EPERM: [1, 'Operation not permitted'],
  EACCES: [13, 'Permission denied'],
  ENOTDIR: [20, 'Not a directory'],
  EINVAL: [22, 'Invalid argument'],
  EBUSY: [16, 'Device or resource busy'],
  EMFILE: [24, 'Too many open files'],
};

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Python's str(OSError) for one or two filenames. */
function osErrorText(code: string, path: string, path2?: string): string {
  const [num, text] = STRERROR[code] ?? [0, code];
  return `[Errno ${num}] ${text}: '${path}'${path2 === undefined ? '' : ` -> '${path2}'`}`;
}

/**
 * The answer for an OSError on `path`. `to` is a rename's destination (Python's text names
 * both); `named` is the path Breezy's translated errors name when it is not the absolute
 * path (append names the relpath).
 */
export function fsErrorAnswer(err: unknown, path: string, opts: { to?: string; named?: string } = {}): MessageAnswer {
  const code = errnoCode(err);
  const named = opts.named ?? path;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EINVAL':
      return { status: 'E', args: ['NoSuchFile', named] };
    case 'EEXIST':
      return { status: 'E', args: ['FileExists', named] };
    case 'ENOTEMPTY':
      return { status: 'E', args: ['DirectoryNotEmpty', named] };
    case 'EACCES':
      return { status: 'E', args: ['PermissionDenied', named, `: ${osErrorText(code, path, opts.to)}`] };
    case 'EBUSY':
      return { status: 'E', args: ['error', 'ResourceBusy', `Device or resource is busy: "${named}": ${osErrorText(code, path)}`] };
    case undefined:
      throw err;
    default: {
      const text = osErrorText(code, path, opts.to);
      return { status: 'E', args: ['error', 'TransportError', `Transport error: ${text} ${text}`] };
    }
  }
}

/** A request body past what a verb accepts: bounded memory per request. */
class RequestBodyTooLarge extends Error {
  override readonly name = 'RequestBodyTooLarge';
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** The request body whole, up to `limit` bytes (bounded memory per request), or the answer that refuses a larger one. */
export async function wholeBody(call: ServerCall, limit: number): Promise<Uint8Array | MessageAnswer> {
  try {
    return await call.body.whole(limit, (max) => new RequestBodyTooLarge(max));
  } catch (err) {
    if (!(err instanceof RequestBodyTooLarge)) throw err;
    return { status: 'E', args: ['error', 'hpss: request body too large', `the built-in server accepts at most ${err.limit} bytes here`] };
  }
}
