import { expect, test } from 'vitest';
import { DEFAULT_SSH_LIMITS, InvalidSshLimit, SSH_LIMIT_FLAGS, sshLimitsFromFlags, sshLimitsHelp } from '../../src/shared/ssh-limits';

test('SSH limit flags become limits; only those given', () => {
  expect(sshLimitsFromFlags(new Map())).toEqual({});
  expect(sshLimitsFromFlags(new Map([['ssh-login-timeout', '2.5'], ['ssh-max-unauthenticated', '3'], ['ssh-max-connections', '10']]))).toEqual({
    loginTimeoutSec: 2.5,
    maxUnauthenticated: 3,
    maxConnections: 10,
  });
});

test('a bad value names the flag and the range, and is never half applied', () => {
  for (const [flag, value] of [
    ['ssh-login-timeout', '0'],
    ['ssh-login-timeout', '-1'],
    ['ssh-login-timeout', '1e3'],
    ['ssh-login-timeout', '3601'],
    ['ssh-max-unauthenticated', '0'],
    ['ssh-max-unauthenticated', '1.5'],
    ['ssh-max-connections', ''],
    ['ssh-max-connections', '100001'],
    ['ssh-max-connections', 'many'],
  ]) {
    expect(() => sshLimitsFromFlags(new Map([[flag, value]])), `${flag} ${value}`).toThrow(InvalidSshLimit);
  }
  expect(() => sshLimitsFromFlags(new Map([['ssh-max-connections', '0']]))).toThrow("--ssh-max-connections: '0' is not a whole number from 1 to 100000");
});

test('--help lists every limit flag with its default', () => {
  const help = sshLimitsHelp();
  for (const f of SSH_LIMIT_FLAGS) expect(help).toMatch(new RegExp(`--${f.flag} ${f.value} .*\\(default ${DEFAULT_SSH_LIMITS[f.field]}\\)`));
});
