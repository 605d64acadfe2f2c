/**
 * The embedded SSH server's admission limits (as OpenSSH's LoginGraceTime and MaxStartups):
 * their defaults, and the `hpss serve` flags that change them — flag, help and validation
 * derived from the one list below.
 */

export interface SshLimits {
  /** Seconds from TCP accept to a completed login; past it the connection is closed. */
  loginTimeoutSec: number;
  /** Connections still logging in at once; past it new sockets are closed at once. */
  maxUnauthenticated: number;
  /** Connections open at once, logged in or not; past it new sockets are closed at once. */
  maxConnections: number;
}

export const DEFAULT_SSH_LIMITS: Readonly<SshLimits> = { loginTimeoutSec: 20, maxUnauthenticated: 64, maxConnections: 256 };

export interface SshLimitFlag {
  flag: string;
  field: keyof SshLimits;
  /** What the value is, in `--help` (`--FLAG VALUE`). */
  value: 'SECONDS' | 'N';
  help: string;
  min: number;
  max: number;
  /** Whole numbers only. */
  whole: boolean;
}

export const SSH_LIMIT_FLAGS: readonly SshLimitFlag[] = [
  { flag: 'ssh-login-timeout', field: 'loginTimeoutSec', value: 'SECONDS', help: 'time from TCP accept to a completed SSH login; past it the connection is closed', min: 0.1, max: 3600, whole: false },
  { flag: 'ssh-max-unauthenticated', field: 'maxUnauthenticated', value: 'N', help: 'SSH connections still logging in at once; past it new ones are closed at once', min: 1, max: 100_000, whole: true },
  { flag: 'ssh-max-connections', field: 'maxConnections', value: 'N', help: 'SSH connections open at once; past it new ones are closed at once', min: 1, max: 100_000, whole: true },
];

export class InvalidSshLimit extends Error {
  override readonly name = 'InvalidSshLimit';
}

/** The limits given as flag text (flag → value); throws InvalidSshLimit naming the flag and the range. */
export function sshLimitsFromFlags(given: ReadonlyMap<string, string>): Partial<SshLimits> {
  const limits: Partial<SshLimits> = {};
  for (const f of SSH_LIMIT_FLAGS) {
    const text = given.get(f.flag);
    if (text === undefined) continue;
    const n = (f.whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(text) ? Number(text) : NaN;
    if (!(n >= f.min && n <= f.max)) {
      throw new InvalidSshLimit(`--${f.flag}: '${text}' is not ${f.whole ? 'a whole number' : 'a number of seconds'} from ${f.min} to ${f.max}`);
    }
    limits[f.field] = n;
  }
  return limits;
}

/** The flags with their help and defaults, for `--help`. */
export function sshLimitsHelp(): string {
  const lines = SSH_LIMIT_FLAGS.map((f) => `  ${`--${f.flag} ${f.value}`.padEnd(30)} ${f.help} (default ${DEFAULT_SSH_LIMITS[f.field]})`);
  return `embedded SSH server limits (with --ssh-listen):\n${lines.join('\n')}\n`;
}
