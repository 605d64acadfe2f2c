/**
 * The built-in backend's verb registry: one handler per verb, grouped by family in their own
 * modules, each declaring Breezy's handler class and `do()` parameters so a wrong argument
 * count gets the TypeError text Breezy's server sends.
 */
import type { BValue } from '../../../../shared/protocol';
import type { Answer, MessageAnswer, ServerCall } from '../../core/server-call';
import type { ParentMapCache } from './revision-graph';

export interface BuiltinContext {
  /** The served directory, absolute, without a trailing slash. */
  root: string;
  allowWrites: boolean;
  /** Revision graphs kept across calls and connections. */
  graphs: ParentMapCache;
}

export interface VerbHandler {
  /** Breezy's request class (`GetRequest`), named in its argument-count errors. */
  breezyClass: string;
  /** Its `do()` parameters after self. */
  params: readonly string[];
  /** Parameters after those that have defaults. */
  optional?: readonly string[];
  /** Takes any number of further arguments (`*revision_ids`). */
  variadic?: boolean;
  run(call: ServerCall, ctx: BuiltinContext): Answer | Promise<Answer>;
}

export type VerbTable = ReadonlyMap<string, VerbHandler>;

/** Python's TypeError for calling `do()` with the wrong number of arguments, or null. */
export function arityError(handler: VerbHandler, args: readonly BValue[]): MessageAnswer | null {
  const { breezyClass, params, optional = [], variadic = false } = handler;
  const most = params.length + optional.length;
  if (args.length > most && !variadic) {
    const takes = optional.length === 0 ? `${most + 1}` : `from ${params.length + 1} to ${most + 1}`;
    const message = `${breezyClass}.do() takes ${takes} positional arguments but ${args.length + 1} were given`;
    return { status: 'E', args: ['error', 'TypeError', message] };
  }
  const missing = params.slice(args.length).map((p) => `'${p}'`);
  if (missing.length === 0) return null;
  const listed =
    missing.length === 1 ? missing[0] : missing.length === 2 ? missing.join(' and ') : `${missing.slice(0, -1).join(', ')}, and ${missing.at(-1)}`;
  const noun = missing.length === 1 ? 'argument' : 'arguments';
  return { status: 'E', args: ['error', 'TypeError', `${breezyClass}.do() missing ${missing.length} required positional ${noun}: ${listed}`] };
}

/** Python's repr of bytes, for ValueError texts (`b'a'`). */
export function bytesRepr(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x5c) s += '\\\\';
    else if (b === 0x27) s += "\\'";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `b'${s}'`;
}

/** Python's int(bytes) for decimal text, or the ValueError answer Breezy sends. */
export function parseDecimal(bytes: Uint8Array): number | MessageAnswer {
  const text = new TextDecoder().decode(bytes).trim();
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  return { status: 'E', args: ['error', 'ValueError', `invalid literal for int() with base 10: ${bytesRepr(bytes)}`] };
}

/** vfs.py `_deserialise_optional_mode`: '' is none, else a decimal int. */
export function parseOptionalMode(arg: BValue | undefined): number | null | MessageAnswer {
  if (!(arg instanceof Uint8Array) || arg.length === 0) return null;
  return parseDecimal(arg);
}

export function isAnswer(value: unknown): value is MessageAnswer {
  return typeof value === 'object' && value !== null && 'status' in value;
}

/** Python's urlutils.escape (quote with `/~` safe): how Breezy names files in listings. */
export function urlEscape(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
