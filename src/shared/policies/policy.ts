/**
 * What a policy is: one object that owns some fields of a server's settings (their defaults,
 * their validation, their CLI flags and UI inputs) and hooks the connection core calls at
 * fixed points of a call. Pure: hooks decide, the core acts and reports each decision as a
 * `policy-action` event naming the call it concerns.
 *
 * Hook points, in the order a call meets them:
 * - `request`: once the verb is known — answer here, drop the connection, or delay it;
 * - `responseStart`, `responseHeaders`, `responseBody`: as its response goes out (any
 *   backend's: relayed bytes and answers made here pass the same way);
 * - `pace` / `outgoing`: per write, both directions (bandwidth, byte budgets);
 * - `callFinished`: once its response went out.
 */
import type { BValue, ProtocolVersion, ResponseStatus } from '../protocol';

/** Raised by a field check; the message names the field (`policy.latencyMs: …`). */
export class InvalidPolicy extends Error {
  override readonly name = 'InvalidPolicy';
}

export function invalid(path: string, what: string): never {
  throw new InvalidPolicy(`${path}: ${what}`);
}

/** A request as policies see it, once its verb is known. */
export interface RequestHead {
  protocol: ProtocolVersion;
  verb: string;
  /** The arguments after the verb, as decoded (unbounded: render with `pythonRepr`, which bounds them). */
  args: readonly BValue[];
  vfs: boolean;
}

/** An answer a policy makes; text arguments go out as UTF-8. */
export interface PolicyAnswer {
  status: ResponseStatus;
  args: string[];
  /** Answer in an older version than the request's (an older server's "bad request"). */
  protocol?: ProtocolVersion;
}

export type RequestVerdict =
  | { kind: 'answer'; answer: PolicyAnswer; action: string }
  | { kind: 'drop'; action: string }
  | { kind: 'delay'; ms: number; action: string };

/** A form input or CLI flag of a policy: how it reads and writes the policy's fields. */
export interface PolicyInput<S> {
  /** The CLI flag without dashes, e.g. `latency`. */
  flag: string;
  label: string;
  help: string;
  /** `number`: a whole number ≥ 0; `verb`: a verb name or empty; `text`: free text; `list`: comma-separated. */
  type: 'boolean' | 'number' | 'verb' | 'text' | 'list';
  unit?: string;
  /** The CLI may give it more than once (collected as a list). */
  multiple?: boolean;
  /** The current value as the form shows it. */
  show(settings: S): string | boolean;
  /** The settings change for a value typed in the form or given on the command line (then validated). */
  parse(value: string | boolean, current: S): Partial<S>;
}

export interface PolicyDefinition<S extends object> {
  /** The name in `policy-action` events, e.g. `refuse-vfs`. */
  id: string;
  label: string;
  /** Plain words for the UI: what a user sees happen. */
  help: string;
  defaults: S;
  /** Validates this policy's fields of an untrusted partial settings object (others are not its business). */
  check(value: Record<string, unknown>, path: string): Partial<S>;
  inputs: PolicyInput<S>[];
  /** What it does in plain words, one chip each, when its settings make it act (none when idle). */
  chips(settings: S): string[];
  request?(head: RequestHead, settings: S): RequestVerdict | null;
  /** Before a response's first byte goes out: how long to hold it. */
  responseStart?(verb: string, settings: S): { delayMs: number; action: string } | null;
  /** A v3 response's header dict: a replacement (for every response, not an action worth an event). */
  responseHeaders?(headers: Map<string, BValue>, settings: S): Map<string, BValue> | null;
  /** At a response's first body bytes: cut the connection there. */
  responseBody?(verb: string, settings: S): { action: string; reason: string } | null;
  /** The rate both directions are held to, bytes a second (0: none). */
  pace?(settings: S): number;
  /** How many of `count` more bytes to the client may go, after `sent`; fewer ends the connection. */
  outgoing?(sent: number, count: number, settings: S): { allow: number; action: string; reason: string } | null;
  /** After the `done`-th call of the connection finished: end the connection. */
  callFinished?(done: number, settings: S): { action: string; reason: string } | null;
}

/** Identity helper that keeps a policy's settings type. */
export function definePolicy<S extends object>(policy: PolicyDefinition<S>): PolicyDefinition<S> {
  return policy;
}

// ---- field checks for untrusted values -------------------------------------------

export function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') invalid(path, 'expected true or false');
  return value;
}

export function checkWhole(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) invalid(path, `expected a whole number from 0 to ${max}`);
  return value;
}

/** A number of seconds ≥ 0, fractions allowed (Breezy's `--client-timeout` is a float). */
export function checkSeconds(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) invalid(path, `expected a number of seconds from 0 to ${max}`);
  return value;
}

export function checkText(value: unknown, path: string, max = 4096): string {
  if (typeof value !== 'string') invalid(path, 'expected a string');
  if (value.length > max) invalid(path, `longer than ${max} characters`);
  if (value.trim() === '') invalid(path, 'must not be empty');
  return value;
}

export function checkVerbOrNull(value: unknown, path: string): string | null {
  if (value === null) return null;
  const verb = checkText(value, path, 200);
  if (/\s/.test(verb)) invalid(path, `'${verb}' contains whitespace`);
  return verb;
}

export function checkTextList(value: unknown, path: string, max = 1000): string[] {
  if (!Array.isArray(value)) invalid(path, 'expected a list of strings');
  if (value.length > max) invalid(path, `more than ${max} items`);
  return value.map((v, i) => checkText(v, `${path}[${i}]`));
}

/** A form's or flag's text as a whole number ≥ 0 (validated again by `check`). */
export function wholeNumberText(value: string | boolean, label: string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) invalid(label, `'${text}' is not a whole number ≥ 0`);
  return Number(text);
}

export function listText(value: string | boolean): string[] {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
