/**
 * The UI under load: 5,000 calls a second for 30 s arrive through the real browser
 * shell (synthetic events on the engine's bus → batched WebSocket → the renderer in
 * Debian's Chromium). Measures frame times in the page (requestAnimationFrame deltas)
 * and samples the page's JS heap each second; reports events/s, p50/p95/max frame time
 * and heap. Then opens a 20 MB trace file of the same calls through "Open trace…" and
 * times it from choosing the file to browsable (every call counted in the list).
 * Needs a build (`npm run build`) for out/renderer; the shell itself is bundled from
 * the TypeScript source with esbuild.
 * Leaves a screenshot of the UI at the end in test-results/bench-ui.png.
 * Usage: node bench/ui.js [--quick]   (--quick: 5 s)
 */
/* global window, requestAnimationFrame -- inside page.evaluate, in Chromium */
const { buildSync } = require('esbuild');
const { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { chromium } = require('playwright-core');
const { percentile, QUICK, report, runBench } = require('./lib/report');

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

/** A trace file (the recorder's JSON Lines) of about `bytes`, of the calls emitCalls makes; returns its call count. */
function writeTrace(path, bytes) {
  const lines = [JSON.stringify({ format: 'hpss-trace', version: 1, started: new Date().toISOString(), pid: process.pid })];
  let seq = 0;
  let size = 0;
  const bus = { emit: (e) => { const line = JSON.stringify({ ...e, seq: ++seq, t: 1_700_000_000_000 + seq }); lines.push(line); size += line.length + 1; } };
  for (let m = 1; m <= MEDIUMS; m++) bus.emit({ type: 'medium-opened', mediumId: `m${m}`, kind: 'tcp-server', role: 'server', peer: `127.0.0.1:${50000 + m}`, ownerId: 'p1' });
  const state = { calls: 0 };
  while (size < bytes) emitCalls(bus, 100, state);
  writeFileSync(path, lines.join('\n') + '\n');
  return { calls: state.calls, bytes: size };
}

/** Opens the trace through "Open trace…"; seconds until every call is counted in the list. */
async function openTrace(page, path, calls) {
  const t0 = Date.now();
  await page.getByTestId('trace-input').setInputFiles(path);
  await page.getByTestId('call-count').filter({ hasText: `${calls.toLocaleString('en-US')} calls` }).waitFor({ timeout: 60_000 });
  return (Date.now() - t0) / 1000;
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
    // Delivered, not just emitted: the rate counts until the page shows a connection opened
    // after the last call (events arrive in order; the call list's count stops at its cap).
    engine.bus.emit({ type: 'medium-opened', mediumId: 'm-last', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:65432', ownerId: 'p1' });
    await page.locator('td.peer', { hasText: '127.0.0.1:65432' }).waitFor({ timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    const frames = await page.evaluate(() => window.__frames.slice(5));
    mkdirSync(join(__dirname, '..', 'test-results'), { recursive: true });
    await page.screenshot({ path: join(__dirname, '..', 'test-results', 'bench-ui.png') });
    const heapAtEnd = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const sorted = [...frames].sort((a, b) => a - b);
    const trace = writeTrace(join(dir, 'big.jsonl'), 20e6);
    const openSeconds = await openTrace(page, join(dir, 'big.jsonl'), trace.calls);
    const MiB = 1024 * 1024;
    report('ui', [
      {
        name: 'events through the batched path into the store and list', value: (state.calls * 4) / seconds, unit: 'events/s',
        note: `${state.calls.toLocaleString('en-US')} calls emitted at ${CALLS_PER_SEC.toLocaleString('en-US')}/s for ${SECONDS} s, all shown after ${seconds.toFixed(1)} s`,
        goal: { of: 'value', min: 5000, text: '≥ 5,000 events/s' },
      },
      { name: 'p50 frame under that load', value: percentile(sorted, 50), unit: 'ms' },
      { name: 'p95 frame under that load', value: percentile(sorted, 95), unit: 'ms', note: `max ${sorted.at(-1).toFixed(0)} ms`, goal: { of: 'value', max: 49.9, text: 'p95 < 50 ms' } }, // strictly: 50.0 is three 16.7 ms frames
      { name: 'page JS heap, max', value: Math.max(...heap, heapAtEnd) / MiB, unit: 'MiB', note: `start ${(heapAtStart / MiB).toFixed(0)} MiB; call list capped at 100,000` },
      {
        name: `open a ${(trace.bytes / 1e6).toFixed(0)} MB trace until browsable`, value: openSeconds, unit: 's',
        note: `${trace.calls.toLocaleString('en-US')} calls`, goal: { of: 'value', max: 3, text: '≤ 3 s' },
      },
    ]);
  } finally {
    await browser.close();
    await shell.stop();
    await engine.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench('ui', main);
