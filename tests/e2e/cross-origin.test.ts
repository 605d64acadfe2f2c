/**
 * A page served from another 127.0.0.1 port (same site, other origin) cannot drive
 * `hpss ui`'s API, in real Chromium, even after the user opened the UI (so its
 * SameSite=Strict cookie is in the browser's jar and rides along with same-site
 * requests) and even when the page knows the token. It tries a no-CORS fetch, a form
 * POST, a CORS fetch with the token header, and the event WebSocket.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../src/main/app/browser-shell';
import { Engine } from '../../src/main/engine/engine';
import { realBackends } from '../../src/main/engine/real-backends';
import { requireTool } from '../support/test-hosts';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;
let engine: Engine;
let shell: BrowserShell;
let evil: Server;
let browser: Browser;
const invoked: string[] = [];

function evilPage(target: string, token: string): string {
  const command = 'ui:server:start';
  const args = JSON.stringify({ root: '/', listen: '127.0.0.1:0', backend: 'breezy', allowWrites: true });
  return `<!doctype html><body><form id="f" method="POST" action="${target}/api/${command}" enctype="text/plain" target="sink">
<input name='${args.slice(0, -1)},"x":"' value='"}'></form><iframe name="sink"></iframe><script>
window.results = {};
(async () => {
  try { await fetch('${target}/api/${command}', { method: 'POST', mode: 'no-cors', credentials: 'include', body: '${args}' }); window.results.noCors = 'sent'; }
  catch (e) { window.results.noCors = 'blocked'; }
  try { const r = await fetch('${target}/api/${command}', { method: 'POST', credentials: 'include', headers: { 'X-HPSS-Token': '${token}', 'Content-Type': 'application/json' }, body: '${args}' }); window.results.withToken = r.status; }
  catch (e) { window.results.withToken = 'blocked'; }
  window.results.ws = await new Promise((resolve) => {
    const ws = new WebSocket('${target.replace('http', 'ws')}/events?token=${token}');
    ws.onopen = () => resolve('open');
    ws.onerror = () => resolve('refused');
  });
  document.getElementById('f').submit();
  setTimeout(() => (window.results.done = true), 500);
})();
</script>`;
}

beforeAll(async () => {
  requireTool(CHROMIUM, 'chromium');
  dir = mkdtempSync(join(tmpdir(), 'hpss-xorigin-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>hpss</title>');
  engine = new Engine(realBackends);
  const invoke = engine.invoke.bind(engine);
  engine.invoke = (command, args) => {
    invoked.push(String(command));
    return invoke(command, args);
  };
  shell = await startBrowserShell({ engine, listen: '127.0.0.1:0', rendererDir: dir });
  const target = `http://127.0.0.1:${shell.port}`;
  evil = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(evilPage(target, shell.token));
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});
afterAll(async () => {
  await browser?.close();
  evil?.close();
  await shell?.stop();
  await engine?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

test('a page on another 127.0.0.1 port cannot call the API or open the event stream', async () => {
  const context = await browser.newContext();
  const ui = await context.newPage();
  await ui.goto(shell.url); // the user opened the UI: the cookie is now in the jar
  expect(await ui.title()).toBe('hpss');
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
  await page.waitForFunction('window.results.done === true', undefined, { timeout: 10_000 });
  const results = (await page.evaluate('window.results')) as Record<string, unknown>;
  expect(results.ws).toBe('refused');
  expect(results.withToken).toBe('blocked'); // the preflight or the 403 fails the CORS fetch
  await new Promise((r) => setTimeout(r, 300));
  expect(invoked).toEqual([]);
  expect(await engine.invoke('ui:owners:list', null)).toEqual({ ok: true, data: [] });
  await context.close();
});
