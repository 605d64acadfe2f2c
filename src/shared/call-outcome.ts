/**
 * What a finished call means for the client: its result in a few characters (`S ok`,
 * `S no`, `E NotStacked`, `cut`, `refused by policy`) and whether it made brz fail.
 * One home for this judgement, used by the UI's call list and "Failures only" filter and
 * by the CLI's call lines and `trace summary`. Pure.
 *
 * Severity: `fail` is an answer or an ending that makes brz fail (red); `quiet` is an error
 * answer brz expects and works around (the `NotStacked` every branch open gets, an
 * `UnknownMethod` it falls back from); `ok` is a success; `pending` has no answer yet.
 * The expected answers below are read from Breezy 3.3.2's client (`remote.py`), which
 * catches exactly these per verb.
 */
import type { ErrorKind, JsonValue } from './events';

export type Severity = 'pending' | 'ok' | 'quiet' | 'fail';

export interface CallOutcome {
  /** The result column: status and first word, or how the call ended. */
  result: string;
  severity: Severity;
  /** Plain words for a failure or an expected answer; absent for a plain success. */
  meaning?: string;
}

export interface CallOutcomeInput {
  verb: string;
  status: 'S' | 'E' | null | 'pending';
  /** The response's arguments (null while pending); named as on the UI's call records, which are judged as they are. */
  responseArgs: readonly JsonValue[] | null;
  error?: { kind: ErrorKind; message: string };
  /** A policy answered or dropped this call (not the peer). */
  byPolicy?: boolean;
  /** A later call showed the answer was expected (e.g. `no` before brz creates the bzrdir). */
  expected?: boolean;
}

/** Error answers brz catches for any verb: it falls back to an older verb or to VFS. */
const EXPECTED_ANYWHERE = new Set(['UnknownMethod']);

/** Error answers brz catches for one verb (Breezy's `remote.py`). */
const EXPECTED_FOR_VERB: Record<string, readonly string[]> = {
  'Branch.get_stacked_on_url': ['NotStacked', 'UnstackableBranchFormat', 'UnstackableRepositoryFormat'],
  'Repository.get_revision_signature_text': ['nosuchrevision'],
  'Branch.get_config_file': ['NoSuchFile'],
  'BzrDir.get_config_file': ['NoSuchFile'],
  'Branch.get_parent': ['NoSuchFile'],
};

/** A success status whose first word means the thing is not there: brz's "Not a branch". */
const NEGATIVE_SUCCESS: Record<string, { word: string; meaning: string }> = {
  'BzrDir.open_2.1': { word: 'no', meaning: 'Not a branch: no bzrdir at this path' },
  'BzrDir.open': { word: 'no', meaning: 'Not a branch: no bzrdir at this path' },
};

/** Plain words for the error answers users meet most. */
const ERROR_MEANING: Record<string, string> = {
  NotStacked: 'the branch is not stacked (expected: brz asks every branch)',
  UnknownMethod: 'the server does not know this verb; brz falls back to another',
  NoSuchFile: 'no such file or directory on the server',
  nobranch: 'Not a branch',
  norepository: 'no repository here',
  nosuchrevision: 'no such revision',
  FileExists: 'the file already exists',
  LockContention: 'locked by another client',
  LockFailed: 'could not take the lock',
  TokenMismatch: 'the lock token does not match (the lock was broken or taken)',
  TokenLockingNotSupported: 'the branch cannot be locked with a token',
  PermissionDenied: 'permission denied',
  ReadOnlyError: 'the server is read-only (start it with --allow-writes)',
  NotBranchError: 'Not a branch',
  UnlockableTransport: 'the transport cannot be locked',
  Diverged: 'the branches have diverged',
  error: 'the server failed the request',
};

const ENDING: Record<ErrorKind, string> = {
  transport: 'cut',
  timeout: 'timed out',
  ssh: 'ssh failed',
  protocol: 'bad bytes',
  remote: 'remote failed',
  policy: 'dropped by policy',
  internal: 'internal error',
};

function firstWord(args: readonly JsonValue[] | null): string {
  const first = args?.[0];
  return typeof first === 'string' ? first : first === undefined ? '' : JSON.stringify(first);
}

/** First argument shortened for a column: 24 characters at most. */
function short(word: string): string {
  const end = word.indexOf('\n');
  const line = end < 0 ? word : word.slice(0, end);
  return line.length > 24 ? `${line.slice(0, 23)}…` : line;
}

export function isExpectedError(verb: string, name: string): boolean {
  return EXPECTED_ANYWHERE.has(name) || (EXPECTED_FOR_VERB[verb]?.includes(name) ?? false);
}

function upstreamUnreachable(word: string, args: readonly JsonValue[] | null): string | null {
  const message = args?.[1];
  return word === 'error' && typeof message === 'string' && message.startsWith('hpss: cannot reach the upstream') ? message : null;
}

/**
 * The severity alone, without building any text: what the UI's reducer and filters ask of
 * every call (100,000 of them), so it allocates nothing. `callOutcome` agrees with it.
 */
export function callSeverity(c: CallOutcomeInput): Severity {
  if (c.error) return 'fail';
  if (c.status === 'pending') return 'pending';
  const word = firstWord(c.responseArgs);
  if (c.status === 'E') return upstreamUnreachable(word, c.responseArgs) !== null || c.byPolicy || !isExpectedError(c.verb, word) ? 'fail' : 'quiet';
  const negative = NEGATIVE_SUCCESS[c.verb];
  if (c.status === 'S' && negative && word === negative.word) return c.expected ? 'quiet' : 'fail';
  return 'ok';
}

export function callOutcome(c: CallOutcomeInput): CallOutcome {
  const severity = callSeverity(c);
  if (c.error) {
    const result = c.error.kind === 'policy' || c.byPolicy ? 'dropped by policy' : ENDING[c.error.kind];
    return { result, severity, meaning: c.error.message };
  }
  if (severity === 'pending') return { result: '…', severity };
  const word = firstWord(c.responseArgs);
  if (c.status === 'E') {
    const message = typeof c.responseArgs?.[1] === 'string' ? c.responseArgs[1] : '';
    const unreachable = upstreamUnreachable(word, c.responseArgs);
    if (unreachable !== null) return { result: 'upstream unreachable', severity, meaning: unreachable };
    if (c.byPolicy) return { result: 'refused by policy', severity, meaning: message || ERROR_MEANING[word] };
    if (severity === 'quiet') return { result: `E ${short(word)}`, severity, meaning: ERROR_MEANING[word] ?? 'an error brz expects and handles' };
    return { result: `E ${short(word)}`, severity, meaning: message || ERROR_MEANING[word] };
  }
  if (NEGATIVE_SUCCESS[c.verb] && severity !== 'ok') {
    return { result: `S ${word}`, severity, meaning: severity === 'quiet' ? 'no bzrdir yet: brz created it next' : NEGATIVE_SUCCESS[c.verb].meaning };
  }
  return { result: c.status === null ? (word ? short(word) : '—') : `${c.status} ${short(word)}`.trimEnd(), severity };
}

/** Policies that answer a call in the peer's place (the others delay, cut or drop). */
const ANSWERING_POLICIES = new Set(['refuse-vfs', 'error-verb']);

export function isAnsweringPolicy(policy: string): boolean {
  return ANSWERING_POLICIES.has(policy);
}

/** Verbs that create the bzrdir a `no` answer said was missing: after them, that `no` was expected. */
export function createsBzrDir(verb: string): boolean {
  return verb.startsWith('BzrDirFormat.initialize') || verb === 'BzrDir.create_branch' || verb === 'mkdir';
}

/** A close reason that means trouble (an error, a policy's cut, a reset, a timeout) rather than a goodbye. */
const TROUBLE = /error|policy|reset|timed? ?out|refused|fail|host key|unreachable|cannot|denied|broken|in the middle of|before answering|signal/i;

export function closeSeverity(reason: string): Severity {
  return TROUBLE.test(reason) ? 'fail' : 'quiet';
}
