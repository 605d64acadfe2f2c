/**
 * The real UI in real Chromium against the real engine: the browser shell started
 * in-process (so tests can also watch the engine's bus), the built renderer from
 * out/renderer, Debian's Chromium through playwright-core. Screenshots go to
 * test-results/e2e/NAME.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../../src/main/app/browser-shell';
import { Engine } from '../../../src/main/engine/engine';
import { realBackends } from '../../../src/main/engine/real-backends';
import { requireTool, startTestHosts, type TestHosts } from '../../support/test-hosts';

const REPO = resolve(__dirname, '../../..');
const RENDERER = join(REPO, 'out', 'renderer');
const SHOTS = join(REPO, 'test-results', 'e2e');
const CHROMIUM = '/usr/bin/chromium';

export interface UiHarness {
  engine: Engine;
  shell: BrowserShell;
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors (CSP violations show up here). */
  pageErrors: string[];
  screenshot(name: string): Promise<void>;
  /** Stops the shell and, after `whileDown`, starts a new one on the same port and token. */
  restartShell(whileDown: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startUi(viewport = { width: 1440, height: 900 }): Promise<UiHarness> {
  requireTool(CHROMIUM, 'chromium');
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error(`no built renderer in ${RENDERER}: run \`npm run build\` first (npm test does)`);
  mkdirSync(SHOTS, { recursive: true });
  const engine = new Engine(realBackends);
  let shell = await startBrowserShell({ engine, listen: '127.0.0.1:0', rendererDir: RENDERER });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport, colorScheme: 'light' });
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(shell.url);
  await page.getByText('live', { exact: true }).waitFor();
  return {
    engine,
    get shell() {
      return shell;
    },
    browser,
    page,
    pageErrors,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    },
    restartShell: async (whileDown) => {
      const { port, token } = shell;
      await shell.stop();
      await whileDown();
      shell = await startBrowserShell({ engine, listen: `127.0.0.1:${port}`, rendererDir: RENDERER, token });
    },
    stop: async () => {
      await browser.close();
      await shell.stop();
      await engine.shutdown();
    },
  };
}

export interface UiWithHosts {
  readonly hosts: TestHosts;
  readonly ui: UiHarness;
}

/**
 * A test file's set-up: the test hosts and the UI started before its tests (then `ready`),
 * a screenshot of each failing test (what the user would have seen), both stopped after.
 */
export function useUiWithHosts(ready?: (session: UiWithHosts) => Promise<void>): UiWithHosts {
  let hosts: TestHosts | undefined;
  let ui: UiHarness | undefined;
  const session: UiWithHosts = {
    get hosts() {
      if (!hosts) throw new Error('the test hosts are not started (used outside a test?)');
      return hosts;
    },
    get ui() {
      if (!ui) throw new Error('the UI is not started (used outside a test?)');
      return ui;
    },
  };
  beforeAll(async () => {
    hosts = startTestHosts();
    ui = await startUi();
    await ready?.(session);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await ui?.screenshot(`failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}`);
  });
  afterAll(async () => {
    await ui?.stop();
    hosts?.stop();
  });
  return session;
}
