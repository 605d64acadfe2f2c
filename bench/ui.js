/**
 * The UI under load: 5,000 calls a second for 30 s arrive through the real browser
 * shell (synthetic events on the engine's bus → batched WebSocket → the renderer in
 * Debian's Chromium). Measures frame times in the page (requestAnimationFrame deltas)
 * and samples the page's JS heap each second; prints p50/p95/max frame time and heap.
 * Needs a build (`npm run build`) for out/renderer; the shell itself is bundled from
 * the TypeScript source with esbuild.
 * Leaves a screenshot of the UI at the end in test-results/bench-ui.png.
 * Usage: node bench/ui.js [--quick]   (--quick: 5 s)
 */
/* global window, requestAnimationFrame -- inside page.evaluate, in Chromium */
const { buildSync } = require('esbuild');
const { existsSync, mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { chromium } = require('playwright-core');

const QUICK = process.argv.includes('--quick');
const SECONDS = QUICK ? 5 : 30;
const CALLS_PER_SEC = 5_000;
const TICK_MS = 10;
const MEDIUMS = 8;
const RENDERER = join(__dirname, '..', 'out', 'renderer');
const VERBS = ['BzrDir.open_2.1', 'Branch.get_config_file', 'Repository.get_parent_map', 'get', 'Repository.get_stream', 'hello'];

function loadShell(dir) {
  const outfile = join(dir, 'shell.js');
  buildSync({
    stdin: {
      contents: [
        "export { startBrowserShell } from './src/main/app/browser-shell';",
        "export { Engine } from './src/main/engine/engine';",
        "export { realBackends } from './src/main/engine/real-backends';",
      ].join('\n'),
      resolveDir: join(__dirname, '..'),
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', external: ['ssh2', 'cpu-features'],
  });
  return require(outfile);
}

// What a proxy records for a typical Breezy call: v3 headers and ~120/200 raw bytes.
const HEADERS = { 'Software version': '3.3.2' };
const REQUEST_RAW = { base64: Buffer.alloc(120, 0x61).toString('base64'), length: 120, truncated: false };
const RESPONSE_RAW = { base64: Buffer.alloc(200, 0x62).toString('base64'), length: 200, truncated: false };

/** Emits `n` complete calls spread over the mediums, as a proxy would report them. */
function emitCalls(bus, n, state) {
  for (let i = 0; i < n; i++) {
    const mediumId = `m${(state.calls % MEDIUMS) + 1}`;
    const callId = `c${++state.calls}`;
    const verb = VERBS[state.calls % VERBS.length];
    bus.emit({ type: 'call-started', mediumId, callId, protocol: 3, verb, args: ['trunk/', String(state.calls)], verbKind: verb === 'get' ? 'vfs' : 'read', vfs: verb === 'get', requestBody: null, headers: HEADERS, raw: REQUEST_RAW });
    bus.emit({ type: 'bytes', mediumId, direction: 'read', count: 120 });
    bus.emit({ type: 'call-finished', mediumId, callId, verb, status: state.calls % 97 === 0 ? 'E' : 'S', args: ['ok'], responseBody: { length: 64, parts: 1, preview: 'revision-id: x' }, durationMs: 0.4, headers: HEADERS, raw: RESPONSE_RAW });
    bus.emit({ type: 'bytes', mediumId, direction: 'written', count: 200 });
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error('no out/renderer: run `npm run build` first');
  // Inside the checkout, so the bundle's external packages (ssh2) resolve from node_modules.
  const cache = join(__dirname, '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'hpss-bench-ui-'));
  const { startBrowserShell, Engine, realBackends } = loadShell(dir);
  const engine = new Engine(realBackends);
  const shell = await startBrowserShell({ engine, listen: '127.0.0.1:0', rendererDir: RENDERER });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(shell.url);
    await page.getByText('live', { exact: true }).waitFor();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heapAtStart = (await cdp.send('Runtime.getHeapUsage')).usedSize;

    for (let m = 1; m <= MEDIUMS; m++) {
      engine.bus.emit({ type: 'medium-opened', mediumId: `m${m}`, kind: 'tcp-server', role: 'server', peer: `127.0.0.1:${50000 + m}`, ownerId: 'p1' });
    }
    await page.evaluate(() => {
      const w = window;
      w.__frames = [];
      let last = performance.now();
      const tick = (t) => {
        w.__frames.push(t - last);
        last = t;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });

    const state = { calls: 0 };
    const heap = [];
    const started = Date.now();
    const perTick = (CALLS_PER_SEC * TICK_MS) / 1000;
    await new Promise((resolve) => {
      let due = 0;
      const timer = setInterval(() => {
        // Catch up on late ticks so the rate holds at 5,000 calls/s on average.
        const target = Math.floor(((Date.now() - started) / 1000) * CALLS_PER_SEC);
        due = Math.min(target - state.calls, perTick * 20);
        if (due > 0) emitCalls(engine.bus, due, state);
        if (Date.now() - started >= SECONDS * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
      const sampler = setInterval(async () => {
        if (Date.now() - started >= SECONDS * 1000) return clearInterval(sampler);
        heap.push((await cdp.send('Runtime.getHeapUsage')).usedSize);
      }, 1000);
    });
    // Let the last batches land.
    await page.waitForTimeout(500);
    const frames = await page.evaluate(() => window.__frames.slice(5));
    const shown = await page.getByTestId('call-count').textContent();
    mkdirSync(join(__dirname, '..', 'test-results'), { recursive: true });
    await page.screenshot({ path: join(__dirname, '..', 'test-results', 'bench-ui.png') });
    const heapAtEnd = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const sorted = [...frames].sort((a, b) => a - b);
    const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const seconds = (Date.now() - started) / 1000;
    console.log(`UI under load: ${state.calls} calls in ${seconds.toFixed(1)} s (${Math.round(state.calls / seconds)} calls/s, ${state.calls * 4} events), ${MEDIUMS} mediums`);
    console.log(`  frames: ${frames.length} (${(frames.length / seconds).toFixed(1)}/s)  p50 ${percentile(sorted, 50).toFixed(1)} ms  p95 ${percentile(sorted, 95).toFixed(1)} ms  max ${sorted.at(-1).toFixed(1)} ms`);
    console.log(`  JS heap: start ${mb(heapAtStart)}  max ${mb(Math.max(...heap, heapAtEnd))}  end ${mb(heapAtEnd)}  (call list capped at 100,000)`);
    console.log(`  call list shows: ${shown}`);
  } finally {
    await browser.close();
    await shell.stop();
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/ui: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
