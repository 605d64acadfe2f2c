/**
 * Real loopback peers for interop tests: a private OpenSSH sshd and a `brz serve`,
 * from tools/bzr-test-hosts. Tests that need them call `startTestHosts()` in
 * `beforeAll` and `stop()` in `afterAll`; a missing tool fails with a clear message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Vendored from the team's shared folder so a fresh clone tests on its own.
const REPO_DIR = resolve(__dirname, '../..');
const TEST_HOSTS = join(REPO_DIR, 'tools', 'bzr-test-hosts');
export const CAPTURES_DIR = join(REPO_DIR, 'tests', 'fixtures', 'captures');

export interface TestHostsEnv {
  SSH_HOST: string;
  SSH_PORT: number;
  SSH_USER: string;
  SSH_KEY: string;
  SSH_KEY_RSA: string;
  SSH_KNOWN_HOSTS: string;
  SSH_CONFIG: string;
  BRZ_SSH: string;
  BZR_TCP_PORT: number;
  BZR_URL: string;
  REPOS: string;
  BZR_SSH_URL: string;
  BRZ_HOME: string;
}

export interface TestHosts {
  dir: string;
  env: TestHostsEnv;
  /** Environment for a real brz client using these hosts (isolated config, ssh wrapper). */
  brzEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  stop(): void;
}

/** Fails loudly when a peer the test needs is not installed. */
export function requireTool(path: string, pkg: string): void {
  const found = path.startsWith('/')
    ? existsSync(path)
    : (() => {
        try {
          execFileSync('sh', ['-c', `command -v ${path}`], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      })();
  if (!found) throw new Error(`this test needs ${path}: run \`apt-get install -y ${pkg}\` (npm test does it for you)`);
}

export function startTestHosts(): TestHosts {
  requireTool('brz', 'brz');
  requireTool('/usr/sbin/sshd', 'openssh-server');
  if (!existsSync(TEST_HOSTS)) throw new Error(`missing ${TEST_HOSTS}: the checkout is incomplete`);
  const dir = mkdtempSync(join(tmpdir(), 'hpss-hosts-'));
  execFileSync(TEST_HOSTS, ['start', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BZR_TEST_HOSTS_BACKLOG: '128' } });
  const env = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as TestHostsEnv;
  return {
    dir,
    env,
    brzEnv: (extra = {}) => ({
      ...process.env,
      BRZ_HOME: env.BRZ_HOME,
      BRZ_LOG: join(dir, 'logs', 'client.log'),
      BRZ_SSH: env.BRZ_SSH,
      ...extra,
    }),
    stop: () => {
      try {
        execFileSync(TEST_HOSTS, ['stop', dir], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
