/**
 * The command an SSH client asks the server to run. brz sends
 * `<bzr_remote_path> serve --inet --directory=/ --allow-writes` (bzr/smart/medium.py,
 * SSHClientMedium); `<bzr_remote_path>` is `bzr` unless BZR_REMOTE_PATH or
 * `bzr_remote_path` says otherwise. Anything else is refused.
 */

export interface ServeInetRequest {
  program: string;
  directory: string | null;
  allowWrites: boolean;
  clientTimeoutSec: number | null;
}

export type RemoteCommand = { ok: true; request: ServeInetRequest } | { ok: false; reason: string };

const PROGRAM = /(^|\/)(bzr|brz|hpss|hpss\.js)$/;
/** Breezy's protocol switch (`--bzr`, `--protocol=bzr`) is harmless; others are not ours. */
const IGNORED_FLAGS = new Set(['--inet', '--bzr', '--protocol=bzr']);

export function parseRemoteCommand(command: string): RemoteCommand {
  const words = command.trim().split(/\s+/);
  const [program, sub, ...flags] = words;
  if (!program || !PROGRAM.test(program) || sub !== 'serve' || !flags.includes('--inet')) {
    return { ok: false, reason: 'only `bzr serve --inet …` (as brz runs it over bzr+ssh) is served here' };
  }
  const request: ServeInetRequest = { program, directory: null, allowWrites: false, clientTimeoutSec: null };
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    const [name, inline] = splitFlag(flag);
    if (IGNORED_FLAGS.has(flag)) continue;
    if (name === '--allow-writes' && inline === null) request.allowWrites = true;
    else if (name === '--directory' || name === '--client-timeout') {
      const value = inline ?? flags[++i];
      if (value === undefined) return { ok: false, reason: `${name} needs a value` };
      if (name === '--directory') request.directory = value;
      else {
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds < 0) return { ok: false, reason: `bad --client-timeout ${value}` };
        request.clientTimeoutSec = seconds;
      }
    } else return { ok: false, reason: `unsupported option ${flag}` };
  }
  return { ok: true, request };
}

function splitFlag(flag: string): [string, string | null] {
  const eq = flag.indexOf('=');
  return eq < 0 ? [flag, null] : [flag.slice(0, eq), flag.slice(eq + 1)];
}
