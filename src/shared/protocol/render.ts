/** Protocol values → the JSON form of the captures' `.expected.json`. */
import type { JsonValue } from '../events';
import type { BValue } from './types';
import { renderBytes } from './text';

/** Bytes as UTF-8 text when valid, else `"hex:" + hex`; ints as numbers; lists as arrays; dicts as objects. */
export function toJsonValue(v: BValue): JsonValue {
  if (v instanceof Uint8Array) return renderBytes(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  const out: { [key: string]: JsonValue } = {};
  for (const [k, value] of v) out[k] = toJsonValue(value);
  return out;
}

export function argsToJson(args: readonly BValue[]): JsonValue[] {
  return args.map(toJsonValue);
}

export function headersToJson(headers: Map<string, BValue> | null): JsonValue {
  return headers === null ? null : toJsonValue(headers);
}

/** A verb (args[0]) as text; '' when absent or not bytes. */
export function verbOf(args: readonly BValue[]): string {
  const v = args[0];
  return v instanceof Uint8Array ? renderBytes(v) : '';
}
