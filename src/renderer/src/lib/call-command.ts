/** A recorded call as an `hpss call …` command line a user can paste into a shell. */
import type { JsonValue } from '../../../shared/events';

/** POSIX shell quoting: plain words as-is, anything else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argument as `hpss call` takes it: text, or bytes as `hex:…` (as recorded). */
function argWord(a: JsonValue): string {
  return typeof a === 'string' ? a : JSON.stringify(a);
}

export function hpssCallCommand(url: string, verb: string, args: readonly JsonValue[]): string {
  return ['hpss', 'call', url, verb, ...args.map(argWord)].map(shellQuote).join(' ');
}
