/**
 * Proxy overhead: a real `brz branch` and `brz log` against Breezy's own `brz serve`, direct
 * and through our proxy (`hpss proxy`'s startProxy, in a child process on the server core),
 * interleaved, median of N each; the ratio proxied ÷ direct (goal ≤ 1.10×). The branch: 300
 * commits over 200 files (bench/make_branch.py; 60 with --quick). Also the proxy's own CPU per
 * operation (process.cpuUsage in the proxy's process): on a loaded machine, timing noise
 * dwarfs the relay's cost, and this number shows that cost directly.
 * Usage: node bench/proxy.js [--quick]
 */
const { execFile, execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundle, median, pinSelf, QUICK, report, runBench, startServerProcess, startTestHosts, stopTestHosts } = require('./lib/report');

const REPEATS = QUICK ? 3 : 7;
const COMMITS = QUICK ? 60 : 300;

// The proxy in its own process: prints its URL; answers each line on stdin with its CPU time (µs).
const PROXY = `
import { EventBus, IdSource } from './src/main/bus/event-bus';
import { startProxy } from './src/main/server';
startProxy({ upstream: process.argv[2], listen: '127.0.0.1:0' }, new EventBus(), new IdSource()).then((p) => {
  process.stdout.write(p.urls[0] + '\\n');
  process.stdin.on('data', () => {
    const u = process.cpuUsage();
    process.stdout.write(JSON.stringify(u.user + u.system) + '\\n');
  });
});
`;

function brz(env, cwd, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile('brz', args, { env, cwd, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`brz ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

/** The proxy's CPU time so far, in ms. */
function proxyCpuMs(child) {
  return new Promise((resolve) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim()) / 1000));
    child.stdin.write('cpu\n');
  });
}

async function main() {
  pinSelf();
  const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-proxy-'));
  const { hostEnv, env } = startTestHosts(dir);
  let proxy = null;
  try {
    execFileSync('/usr/bin/python3', [join(__dirname, 'make_branch.py'), join(hostEnv.REPOS, 'bench'), String(COMMITS)], { env, stdio: 'ignore' });
    proxy = await startServerProcess(process.execPath, [bundle('bench-proxy', PROXY), hostEnv.BZR_URL]);
    const work = join(dir, 'work');
    mkdirSync(work);
    let n = 0;
    const ops = {
      'brz branch': (base) => ['branch', '-q', `${base}bench`, `b${++n}`],
      'brz log': (base) => ['log', '-q', `${base}bench`],
    };
    const targets = { direct: hostEnv.BZR_URL, proxied: proxy.url };
    const rows = [];
    for (const [name, args] of Object.entries(ops)) {
      const times = { direct: [], proxied: [] };
      const cpu = [];
      for (let r = 0; r < REPEATS; r++) {
        // Alternate which goes first so warm caches favour neither.
        for (const which of r % 2 ? ['proxied', 'direct'] : ['direct', 'proxied']) {
          const before = which === 'proxied' ? await proxyCpuMs(proxy.child) : 0;
          times[which].push(await brz(env, work, args(targets[which])));
          if (which === 'proxied') cpu.push((await proxyCpuMs(proxy.child)) - before);
        }
      }
      const direct = median(times.direct);
      const proxied = median(times.proxied);
      rows.push(
        {
          name: `${name}, ${COMMITS} commits × 200 files, proxied ÷ direct`, value: proxied / direct, unit: '×',
          note: `median of ${REPEATS}: direct ${direct.toFixed(0)} ms, proxied ${proxied.toFixed(0)} ms`,
          goal: { of: 'value', max: 1.1, text: '≤ 1.10× direct' },
        },
        { name: `${name}, the proxy's own CPU per operation`, value: median(cpu), unit: 'ms', note: `${((100 * median(cpu)) / direct).toFixed(1)}% of the direct time` },
      );
    }
    report('proxy', rows);
  } finally {
    if (proxy) proxy.child.kill();
    stopTestHosts(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench('proxy', main);
