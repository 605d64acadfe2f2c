/**
 * Proxy overhead: a real `brz branch` and `brz log` against Breezy's own `brz serve`,
 * direct and through our proxy (in this process), side by side in one run, alternating,
 * median of N each. Prints the proxied/direct ratio (target ≤ 1.10×).
 * The branch is made larger than the test sample so the relay carries real bodies:
 * 30 commits over 200 files plus a 4 MiB file.
 * Our side is the TypeScript source bundled with esbuild (so no build step is needed).
 * Also prints the proxy's own CPU time per operation: on a loaded machine, timing noise
 * dwarfs the relay's cost, and this number shows that cost directly.
 * Usage: node bench/proxy.js [--quick]
 */
const { buildSync } = require('esbuild');
const { execFile, execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const QUICK = process.argv.includes('--quick');
const REPEATS = QUICK ? 3 : 7;
const HOSTS = join(__dirname, '..', 'tools', 'bzr-test-hosts');

/** Bundles the engine's server API; kept under node_modules so `ssh2` resolves from the bundle. */
function loadServer() {
  const outfile = join(__dirname, '..', 'node_modules', '.cache', 'hpss-bench', 'server.js');
  buildSync({
    stdin: {
      contents: "export * from './src/main/server'; export { EventBus, IdSource } from './src/main/bus/event-bus';",
      resolveDir: join(__dirname, '..'),
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', external: ['ssh2'],
  });
  return require(outfile);
}

function brz(env, cwd, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile('brz', args, { env, cwd, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`brz ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

function makeBranch(env, path) {
  const run = (...args) => execFileSync('brz', args, { env, cwd: path, stdio: 'ignore' });
  mkdirSync(path, { recursive: true });
  run('init', '-q', '.');
  for (let i = 0; i < 200; i++) writeFileSync(join(path, `f${i}.txt`), `file ${i}\n`.repeat(40));
  writeFileSync(join(path, 'big.bin'), Buffer.alloc(4 << 20, 7));
  run('add', '-q');
  run('commit', '-q', '-m', 'import');
  for (let c = 1; c < 30; c++) {
    for (let i = c; i < 200; i += 29) writeFileSync(join(path, `f${i}.txt`), `file ${i} change ${c}\n`.repeat(40));
    run('commit', '-q', '-m', `change ${c}`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-proxy-'));
  execFileSync(HOSTS, ['start', dir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BZR_TEST_HOSTS_BACKLOG: '128' } });
  const hostEnv = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8'));
  const env = { ...process.env, BRZ_HOME: hostEnv.BRZ_HOME, BRZ_LOG: '/dev/null' };
  let proxy = null;
  try {
    makeBranch(env, join(hostEnv.REPOS, 'bench'));
    const server = loadServer();
    proxy = await server.startProxy({ upstream: hostEnv.BZR_URL, listen: '127.0.0.1:0' }, new server.EventBus(), new server.IdSource());
    const work = join(dir, 'work');
    mkdirSync(work);
    const ops = {
      'brz branch': (base, n) => ['branch', '-q', `${base}bench`, `b${n}`],
      'brz log': (base) => ['log', '-q', `${base}bench`],
    };
    const targets = { direct: hostEnv.BZR_URL, proxied: proxy.urls[0] };
    console.log(`proxy overhead: real brz client, brz serve upstream, median of ${REPEATS} (ms)`);
    let n = 0;
    let worst = 0;
    for (const [name, args] of Object.entries(ops)) {
      const times = { direct: [], proxied: [] };
      const proxyCpu = [];
      for (let r = 0; r < REPEATS; r++) {
        // Alternate which goes first so warm caches favour neither.
        const order = r % 2 ? ['proxied', 'direct'] : ['direct', 'proxied'];
        for (const which of order) {
          const cpu = process.cpuUsage();
          times[which].push(await brz(env, work, args(targets[which], ++n)));
          const used = process.cpuUsage(cpu);
          if (which === 'proxied') proxyCpu.push((used.user + used.system) / 1000);
        }
      }
      const d = median(times.direct);
      const p = median(times.proxied);
      worst = Math.max(worst, p / d);
      console.log(`  ${name.padEnd(11)} direct ${d.toFixed(0).padStart(6)}   proxied ${p.toFixed(0).padStart(6)}   ratio ${(p / d).toFixed(3)}×   proxy CPU ${median(proxyCpu).toFixed(0)} ms`);
    }
    console.log(`  worst ratio ${worst.toFixed(3)}× (target ≤ 1.10×) ${worst <= 1.1 ? 'OK' : 'ABOVE TARGET'}`);
  } finally {
    if (proxy) await proxy.stop();
    execFileSync(HOSTS, ['stop', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
