/** The real `hpss ui` process (built CLI): prints its URL with a token, guards it, stops on SIGINT. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
