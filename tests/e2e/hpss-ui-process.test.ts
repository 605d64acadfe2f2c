/**
 * The real `hpss ui` process (built CLI): prints its URL with a token, guards it, serves a
 * page that comes up live (the token then leaves the address bar), stops on SIGINT.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
