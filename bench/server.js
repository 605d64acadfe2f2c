/**
 * Our server against stock `brz serve`, in one run, every server in its own process on the
 * server core, one lean client (lib/lean-client.js) on the client core:
 *   - `readv` of 1,000 scattered 4 KiB ranges of a 64 MiB file: the built-in backend, the
 *     Breezy relay (`hpss serve --backend breezy`) and `brz serve`;
 *   - `hello` round trips on one connection: built-in vs `brz serve`;
 *   - 100 concurrent clients × 200 `hello` calls each (calls/s, p50/p99), and the server's
 *     peak RSS meanwhile (sampled, over the process tree);
 *   - connections set up + `hello` + closed per second, one after another;
 *   - memory per idle connection: RSS growth with 200 connections open after a `hello` each;
 *   - `get_bundle` of a branch of BUNDLE_COMMITS commits over 200 files (bench/make_branch.py):
 *     built-in vs `brz serve` (both build the same records; ours bzip2s in JavaScript).
 * The 256 MiB `get` is builtin-get.js. Usage: node bench/server.js [--quick]
 * HPSS_BENCH_PROFILE=DIR runs the built-in server under `node --cpu-prof` into DIR
 * (summarise with `node bench/lib/profile-summary.js DIR/*.cpuprofile`).
 */
const { execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundle, percentile, pinSelf, QUICK, report, runBench, startServerProcess, stopServerProcesses, treeRssMiB } = require('./lib/report');
const { LeanConnection, request } = require('./lib/lean-client');

const ROUNDS = QUICK ? 1 : 3;
const FILE_SIZE = 64 * 1024 * 1024;
const RANGES = 1000;
const CLIENTS = 100;
const CALLS_EACH = QUICK ? 50 : 200;
const HELLOS_ONE_CONNECTION = QUICK ? 1000 : 5000;
const CONNECT_SECONDS = QUICK ? 1 : 3;
const IDLE_CONNECTIONS = 200;
const BUNDLE_COMMITS = QUICK ? 20 : 60;

const OUR_SERVER = `
import { EventBus, IdSource } from './src/main/bus/event-bus';
import { startServer } from './src/main/server';
const [backend, dir] = process.argv.slice(2);
startServer({ backend, dir, listen: '127.0.0.1:0', allowWrites: false }, new EventBus(), new IdSource())
  .then((s) => process.stdout.write(s.urls[0] + '\\n'));
// An exit, not death by signal, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
`;

const HELLO = request(['hello']);

/** 1,000 non-overlapping 4 KiB ranges spread over the file, in a fixed pseudo-random order. */
function readvBody() {
  const slot = Math.floor(FILE_SIZE / RANGES);
  const lines = [];
  let x = 12345;
  for (let i = 0; i < RANGES; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    lines.push(`${i * slot + (x % (slot - 4096))},4096`);
  }
  return lines.join('\n');
}

/** Runs `work` while sampling the RSS of the process tree at `pid`; resolves [result, peak MiB]. */
async function withPeakRss(pid, work) {
  let peak = treeRssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, treeRssMiB(pid))), 25);
  try {
    const result = await work();
    return [result, Math.max(peak, treeRssMiB(pid))];
  } finally {
    clearInterval(timer);
  }
}

/** The best time of ROUNDS calls of `bytes` on one connection, after one that warms the page cache and the server. */
async function bestCallMs(url, bytes, verb, check) {
  const c = await LeanConnection.open(url);
  let best = Infinity;
  for (let r = 0; r < ROUNDS + 1; r++) {
    const t0 = performance.now();
    const res = await c.call(bytes, verb);
    const ms = performance.now() - t0;
    check(res);
    if (r > 0) best = Math.min(best, ms);
  }
  await c.close();
  return best;
}

const readvMs = (url, bytes) =>
  bestCallMs(url, bytes, 'readv', (res) => {
    if (res.status !== 'S' || res.bodyBytes !== RANGES * 4096) throw new Error(`readv: ${res.status}, ${res.bodyBytes} bytes`);
  });

const bundleMs = (url, bytes) =>
  bestCallMs(url, bytes, 'get_bundle', (res) => {
    if (res.status !== 'S' || res.bodyBytes === 0) throw new Error(`get_bundle: ${res.status}, ${res.bodyBytes} bytes`);
  });

/** hello round trips on one connection, best of ROUNDS + 1 (the first warms the JIT). */
async function helloRate(url) {
  const c = await LeanConnection.open(url);
  let best = 0;
  for (let r = 0; r < ROUNDS + 1; r++) {
    const t0 = performance.now();
    for (let i = 0; i < HELLOS_ONE_CONNECTION; i++) await c.call(HELLO, 'hello');
    best = Math.max(best, HELLOS_ONE_CONNECTION / ((performance.now() - t0) / 1000));
  }
  await c.close();
  return best;
}

/** CLIENTS connections (opened one after another: stock brz serve listens with a backlog of 1). */
async function manyClients(url) {
  const conns = [];
  for (let i = 0; i < CLIENTS; i++) conns.push(await LeanConnection.open(url));
  await Promise.all(conns.map((c) => c.call(HELLO, 'hello')));
  const latencies = [];
  const t0 = performance.now();
  await Promise.all(conns.map(async (c) => {
    for (let i = 0; i < CALLS_EACH; i++) {
      const s = performance.now();
      await c.call(HELLO, 'hello');
      latencies.push(performance.now() - s);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(conns.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function connectionRate(url) {
  let n = 0;
  const end = performance.now() + CONNECT_SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    const c = await LeanConnection.open(url);
    await c.call(HELLO, 'hello');
    await c.close();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

/**
 * RSS growth per connection held open after a `hello`. A first round opens and closes as many
 * (so a heap grown and shrunk by the load before is at its working size); the second counts.
 */
async function idleKiB(url, pid) {
  let growth = 0;
  for (let round = 0; round < 2; round++) {
    await new Promise((r) => setTimeout(r, 500));
    const before = treeRssMiB(pid);
    const conns = [];
    for (let i = 0; i < IDLE_CONNECTIONS; i++) {
      const c = await LeanConnection.open(url);
      await c.call(HELLO, 'hello');
      conns.push(c);
    }
    await new Promise((r) => setTimeout(r, 500));
    growth = treeRssMiB(pid) - before;
    await Promise.all(conns.map((c) => c.close()));
  }
  return (growth * 1024) / IDLE_CONNECTIONS;
}

async function main() {
  pinSelf();
  const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-server-'));
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  writeFileSync(join(dir, 'file'), Buffer.concat(Array(FILE_SIZE / block.length).fill(block)));
  const home = join(dir, '.brz-home');
  mkdirSync(home);
  const env = { ...process.env, BRZ_HOME: home, BRZ_LOG: '/dev/null' };
  execFileSync('/usr/bin/python3', [join(__dirname, 'make_branch.py'), join(dir, 'branch'), String(BUNDLE_COMMITS)], { env, stdio: 'ignore' });
  const tip = readFileSync(join(dir, 'branch/.bzr/branch/last-revision'), 'utf8').trim().split(' ')[1];
  const ourServer = bundle('bench-server', OUR_SERVER);
  const servers = {};
  try {
    const profile = process.env.HPSS_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HPSS_BENCH_PROFILE}`] : [];
    servers.builtin = await startServerProcess(process.execPath, [...profile, ourServer, 'builtin', dir]);
    servers.relay = await startServerProcess(process.execPath, [ourServer, 'breezy', dir], env);
    servers.brz = await startServerProcess('brz', ['serve', '--listen=127.0.0.1', '--port=0', `--directory=${dir}`], env);
    const url = (s) => servers[s].url;
    const pid = (s) => servers[s].child.pid;

    const readv = request(['readv', 'file'], readvBody());
    const readvTimes = {};
    for (const s of ['builtin', 'relay', 'brz']) readvTimes[s] = await readvMs(url(s), readv);

    const getBundle = request(['get_bundle', 'branch/', tip]);
    const bundleTimes = { builtin: await bundleMs(url('builtin'), getBundle), brz: await bundleMs(url('brz'), getBundle) };

    const hello = { builtin: await helloRate(url('builtin')), brz: await helloRate(url('brz')) };

    const load = {};
    const loadRss = {};
    for (const s of ['builtin', 'brz']) [load[s], loadRss[s]] = await withPeakRss(pid(s), () => manyClients(url(s)));

    const connect = {};
    for (const s of ['builtin', 'relay', 'brz']) connect[s] = await connectionRate(url(s));

    const idle = {};
    for (const s of ['builtin', 'relay', 'brz']) idle[s] = await idleKiB(url(s), pid(s));

    const ms = 'ms';
    const loadNote = `${CLIENTS} clients × ${CALLS_EACH} hello`;
    report('server', [
      { name: `readv of ${RANGES} × 4 KiB, built-in`, value: readvTimes.builtin, unit: ms, breezy: readvTimes.brz, note: 'best of ' + ROUNDS },
      { name: `readv of ${RANGES} × 4 KiB, Breezy relay`, value: readvTimes.relay, unit: ms, breezy: readvTimes.brz },
      { name: 'hello on one connection, built-in', value: hello.builtin, unit: 'calls/s', breezy: hello.brz },
      { name: 'hello under load, built-in', value: load.builtin.rate, unit: 'calls/s', breezy: load.brz.rate, note: loadNote },
      { name: 'p50 latency under load, built-in', value: load.builtin.p50, unit: ms, breezy: load.brz.p50 },
      {
        name: 'p99 latency under load, built-in', value: load.builtin.p99, unit: ms, breezy: load.brz.p99,
        note: `p99 ÷ p50 = ${(load.builtin.p99 / load.builtin.p50).toFixed(1)}; Breezy ${(load.brz.p99 / load.brz.p50).toFixed(1)}`,
        goal: { of: 'value', max: 3 * load.builtin.p50, text: 'p99 ≤ 3× p50' },
      },
      { name: 'peak RSS under load, built-in', value: loadRss.builtin, unit: 'MiB', breezy: loadRss.brz },
      { name: 'connect + hello + close, built-in', value: connect.builtin, unit: 'conn/s', breezy: connect.brz, goal: { of: 'breezy', min: 2, text: '≥ 2× Breezy' } },
      { name: 'connect + hello + close, Breezy relay', value: connect.relay, unit: 'conn/s', breezy: connect.brz, goal: { of: 'breezy', min: 2, text: '≥ 2× Breezy' } },
      { name: 'memory per idle connection, built-in', value: idle.builtin, unit: 'KiB', breezy: idle.brz, note: `${IDLE_CONNECTIONS} open` },
      { name: 'memory per idle connection, Breezy relay', value: idle.relay, unit: 'KiB', breezy: idle.brz },
      { name: `get_bundle of ${BUNDLE_COMMITS} commits × 200 files, built-in`, value: bundleTimes.builtin, unit: ms, breezy: bundleTimes.brz, note: 'best of ' + ROUNDS },
    ]);
  } finally {
    await stopServerProcesses(Object.values(servers));
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench('server', main);
