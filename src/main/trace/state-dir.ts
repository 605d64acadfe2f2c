/**
 * Where the inspector keeps state between runs: its SSH host key and the traces of
 * `hpss serve --inet` sessions. Follows the XDG base directory spec.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function hpssStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'hpss-inspector');
}

/** `HPSS_TRACE_DIR`, else `<state dir>/traces`. */
export function defaultTraceDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HPSS_TRACE_DIR || join(hpssStateDir(env), 'traces');
}

/** A new file name per session: sortable by time, unique per process. */
export function sessionTraceFile(dir: string, label: string, now = new Date(), pid = process.pid): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return join(dir, `${stamp}-${label}-${pid}.jsonl`);
}
