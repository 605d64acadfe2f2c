/**
 * The real `hpss ui` process (built CLI): prints its URL with a token, guards it, serves a
 * page that comes up live (the token then leaves the address bar), stops on SIGINT.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';

const HPSS = resolve(__dirname, '../../bin/hpss.js');
const BUILT = resolve(__dirname, '../../out/main/hpss.js');

function requireBuild(): void {
  if (!existsSync(BUILT)) throw new Error(`no ${BUILT}: run \`npm run build\` first (npm test does)`);
}

test('prints a tokened loopback URL, serves the page only with the token, exits 0 on SIGINT', async () => {
  requireBuild();
  const child = spawn(process.execPath, [HPSS, 'ui', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /HPSS Inspector UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(new URL('/', url))).status).toBe(403);
    // The page from the real process comes up live in Chromium.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await tab.goto(url);
      await tab.getByText('live', { exact: true }).waitFor();
      expect(new URL(tab.url()).search).toBe('');
      await tab.screenshot({ path: resolve(__dirname, '../../test-results/e2e/hpss-ui-process.png') });
    } finally {
      await browser.close();
    }
    expect((await fetch(new URL('/api/ui:owners:list', url), { method: 'POST', body: 'null' })).status).toBe(403);
  } finally {
    child.kill('SIGINT');
  }
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  expect(code).toBe(0);
});

test('refuses to listen anywhere but loopback', () => {
  requireBuild();
  const r = spawnSync(process.execPath, [HPSS, 'ui', '--listen', '0.0.0.0:0'], { encoding: 'utf8', timeout: 10_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/loopback only/);
});

/** Starts `hpss ui` with its own state folder; resolves with the printed URL and a stop. */
async function startUiProcess(stateHome: string, ...extra: string[]): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [HPSS, 'ui', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_STATE_HOME: stateHome } });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /HPSS Inspector UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
  });
  return {
    url,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

test('a restarted hpss ui keeps the session: same port and token, the open tab reloads into a live page', async () => {
  requireBuild();
  const stateHome = mkdtempSync(join(tmpdir(), 'hpss-ui-state-'));
  const first = await startUiProcess(stateHome);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await tab.goto(first.url);
    await tab.getByText('live', { exact: true }).waitFor();
    expect(await first.stop()).toBe(0);
    // Kept for the next launch, readable by this user only.
    expect(statSync(join(stateHome, 'hpss-inspector', 'ui-session.json')).mode & 0o777).toBe(0o600);
    const second = await startUiProcess(stateHome);
    try {
      expect(second.url).toBe(first.url);
      await tab.reload();
      await tab.getByText('live', { exact: true }).waitFor();
      expect(await tab.locator('body').textContent()).not.toContain('forbidden');
      await tab.screenshot({ path: resolve(__dirname, '../../test-results/e2e/hpss-ui-restarted.png') });
    } finally {
      expect(await second.stop()).toBe(0);
    }
    const fresh = await startUiProcess(stateHome, '--new-token');
    try {
      expect(new URL(fresh.url).searchParams.get('token')).not.toBe(new URL(first.url).searchParams.get('token'));
    } finally {
      await fresh.stop();
    }
  } finally {
    await browser.close();
  }
});
