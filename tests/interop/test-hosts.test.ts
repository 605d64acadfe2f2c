import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestHosts, type TestHosts } from '../support/test-hosts';

let hosts: TestHosts;
beforeAll(() => {
  hosts = startTestHosts();
});
afterAll(() => hosts?.stop());

test('the real peers answer a real brz client over bzr:// and bzr+ssh://', () => {
  const log = (url: string) => execFileSync('brz', ['log', '--line', url], { env: hosts.brzEnv(), encoding: 'utf8' });
  expect(log(`${hosts.env.BZR_URL}trunk`)).toMatch(/Initial import/);
  expect(log(`${hosts.env.BZR_SSH_URL}trunk`)).toMatch(/Rename README/);
});
