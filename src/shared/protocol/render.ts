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

/** Byte strings longer than this are shown in events by their first bytes and their length. */
export const EVENT_ARG_MAX_BYTES = 1024;

/**
 * Like `toJsonValue`, for events and the UI: a byte string past EVENT_ARG_MAX_BYTES shows its
 * first bytes and then `…[N bytes]`, so rendering a 10 MB argument costs what a short one does.
 */
export function toBoundedJsonValue(v: BValue): JsonValue {
  if (v instanceof Uint8Array) {
    if (v.length <= EVENT_ARG_MAX_BYTES) return renderBytes(v);
    return `${renderBytes(v.subarray(0, EVENT_ARG_MAX_BYTES))}…[${v.length} bytes]`;
  }
  if (Array.isArray(v)) return v.map(toBoundedJsonValue);
  if (v instanceof Map) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, value] of v) out[k] = toBoundedJsonValue(value);
    return out;
  }
  return toJsonValue(v);
}

export function argsToBoundedJson(args: readonly BValue[]): JsonValue[] {
  return args.map(toBoundedJsonValue);
}

export function headersToJson(headers: Map<string, BValue> | null): JsonValue {
  return headers === null ? null : toJsonValue(headers);
}

/** A verb (args[0]) as text; '' when absent or not bytes. */
export function verbOf(args: readonly BValue[]): string {
  const v = args[0];
  return v instanceof Uint8Array ? renderBytes(v) : '';
}
