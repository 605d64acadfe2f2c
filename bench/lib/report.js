/**
 * What every bench script shares: bundling our TypeScript, starting peers, pinning to cores,
 * and reporting rows. A script calls `report(bench, rows)`: under `npm run bench` (run.js sets
 * HPSS_BENCH_OUT) the rows are appended to that file as JSON lines and run.js prints one table
 * at the end; run alone, the script prints its own table with the same formatter.
 *
 * A row: { name, value, unit, breezy?, limit?, goal?, note? }.
 *   value   the absolute figure measured (higher is better unless `lowerIsBetter`);
 *   breezy  Breezy's figure for the same work in the same run (same unit);
 *   limit   the physical limit measured in the same run (same unit), e.g. loopback bytes/s;
 *   goal    { of: 'breezy' | 'limit' | 'value', min?: number, max?: number, text } (or a list
 *           of them) — the bar on a ratio (value ÷ breezy, value ÷ limit) or the value.
 * Ratios are always value ÷ reference, so for a time (lower is better) < 1 means faster.
 */
const { buildSync } = require('esbuild');
const { execFileSync, spawn } = require('node:child_process');
const { appendFileSync, mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'hpss-bench');
const QUICK = process.argv.includes('--quick');

/** Bundles TypeScript source (an entry's contents) into node_modules/.cache so `ssh2` resolves. */
function bundle(name, contents) {
  mkdirSync(CACHE, { recursive: true });
  const outfile = join(CACHE, `${name}.js`);
  buildSync({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', external: ['ssh2', 'cpu-features'],
  });
  return outfile;
}

// ---- pinning --------------------------------------------------------------------------------

/**
 * HPSS_BENCH_PIN: 'split' (client on core 0, servers on core 1), 'one' (everything on core 0)
 * or 'none'. Default: split when taskset exists and there are two cores or more.
 */
let pinned = null;
function pinMode() {
  pinned ??= decidePinning();
  return pinned;
}

function decidePinning() {
  const asked = process.env.HPSS_BENCH_PIN;
  if (asked === 'split' || asked === 'one' || asked === 'none') return asked;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'none';
  }
  // cpus(), not availableParallelism(): the latter shrinks once this process is pinned.
  return require('node:os').cpus().length >= 2 ? 'split' : 'none';
}

const PIN_LABEL = { split: 'client core 0, servers core 1', one: 'all on core 0', none: 'unpinned' };

/** Pins this process (the client side, and every child it does not pin otherwise) to core 0. */
function pinSelf() {
  if (pinMode() !== 'none') execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
}

/** The command and arguments that run a server-side process on the server's core. */
function serverCommand(cmd, args) {
  const mode = pinMode();
  if (mode === 'none') return [cmd, args];
  return ['taskset', ['-c', mode === 'split' ? '1' : '0', cmd, ...args]];
}

// ---- peers ------------------------------------------------------------------------------------

/**
 * Starts a server-side process (pinned to the server core) and resolves once it prints a
 * bzr:// URL or Breezy's "listening on port: N".
 */
function startServerProcess(cmd, args, env) {
  const [c, a] = serverCommand(cmd, args);
  const child = spawn(c, a, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /bzr:\/\/[^\s]+/.exec(out) ?? /listening on port: (\d+)/.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        resolve({ url: m[0].startsWith('bzr') ? m[0] : `bzr://127.0.0.1:${m[1]}/`, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before listening: ${out}`)));
  });
}

/** Stops the processes startServerProcess started and resolves once each has exited. */
function stopServerProcesses(servers) {
  return Promise.all(servers.map((s) => new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', resolve);
    s.child.kill();
  })));
}

/** tools/bzr-test-hosts started on the server core (its sshd and `brz serve` inherit the pin). */
function startTestHosts(dir) {
  const [c, a] = serverCommand(join(ROOT, 'tools', 'bzr-test-hosts'), ['start', dir]);
  execFileSync(c, a, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BZR_TEST_HOSTS_BACKLOG: '128' } });
  const hostEnv = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8'));
  return { hostEnv, env: { ...process.env, BRZ_HOME: hostEnv.BRZ_HOME, BRZ_LOG: '/dev/null' } };
}

function stopTestHosts(dir) {
  execFileSync(join(ROOT, 'tools', 'bzr-test-hosts'), ['stop', dir], { stdio: 'ignore' });
}

const portOf = (url) => Number(new URL(url).port);

/** Resident set (VmRSS) and its peak (VmHWM) of a running process (Linux), in MiB. */
function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** A process and its descendants (a relay's pool of Breezy processes), those still there. */
function treePids(pid) {
  const pids = [];
  const walk = (p) => {
    try {
      const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      pids.push(p);
      for (const k of kids ? kids.split(/\s+/) : []) walk(Number(k));
    } catch {
      // gone meanwhile
    }
  };
  walk(pid);
  return pids;
}

/** The sum of VmRSS over a process and its descendants, in MiB. */
function treeRssMiB(pid) {
  let total = 0;
  for (const p of treePids(pid)) {
    try {
      total += memoryMiB(p).rss;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU time (user + system, all threads) of processes and their descendants, in clock ticks. */
function treeCpuTicks(pids) {
  let ticks = 0;
  for (const p of pids.flatMap(treePids)) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/**
 * Resolves once the processes (and their children) used no CPU for WINDOW_MS, within
 * MAX_MS: a server is measured alone, not beside another still busy on the same core
 * (a relay's pool starting the Breezy process that replaces the one that just served).
 * Resolves false when they never went quiet.
 */
async function whenIdle(pids, windowMs = 100, maxMs = 5000) {
  const until = performance.now() + maxMs;
  let before = treeCpuTicks(pids);
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = treeCpuTicks(pids);
    if (now === before) return true;
    before = now;
  }
  return false;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// ---- rows and the table ---------------------------------------------------------------------

function goalVerdict(row) {
  if (!row.goal) return { met: null, text: '' };
  const verdicts = [row.goal].flat().map((g) => oneGoal(row, g));
  return { met: verdicts.every((v) => v.met === true), text: verdicts.map((v) => v.text).join('; ') };
}

function oneGoal(row, g) {
  const ratio = g.of === 'breezy' ? row.value / row.breezy : g.of === 'limit' ? row.value / row.limit : row.value;
  if (!Number.isFinite(ratio)) return { met: null, text: `${g.text}: not measured` };
  const met = (g.min === undefined || ratio >= g.min) && (g.max === undefined || ratio <= g.max);
  if (met) return { met, text: `${g.text}: met` };
  const bar = g.min ?? g.max;
  const by = g.min !== undefined ? `${((100 * ratio) / bar).toFixed(0)}% of the bar` : `${((100 * ratio) / bar - 100).toFixed(0)}% over`;
  return { met, text: `${g.text}: MISSED (${by})` };
}

/** Completes rows with their bench, pinning, ratios and verdict. */
function completeRows(bench, rows) {
  const pin = PIN_LABEL[pinMode()];
  return rows.map((r) => {
    const verdict = goalVerdict(r);
    return {
      bench,
      pin,
      ...r,
      vsBreezy: r.breezy ? r.value / r.breezy : null,
      vsLimit: r.limit ? r.value / r.limit : null,
      met: verdict.met,
      verdict: verdict.text,
    };
  });
}

function fmt(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
const ratio = (x) => (x === null ? '' : `${fmt(x)}×`);

/** The rows as one markdown table (printed by run.js, pasted into docs/performance.md). */
function formatTable(rows) {
  const head = ['bench', 'figure', 'ours', 'Breezy', '÷ Breezy', 'limit', '÷ limit', 'pinning', 'goal'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.bench,
      r.note ? `${r.name} (${r.note})` : r.name,
      `${fmt(r.value)} ${r.unit}`,
      r.breezy ? fmt(r.breezy) : '',
      ratio(r.vsBreezy),
      r.limit ? fmt(r.limit) : '',
      ratio(r.vsLimit),
      r.pin,
      r.verdict,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Hands a bench's rows to run.js (HPSS_BENCH_OUT), or prints them when run alone. */
function report(bench, rows) {
  const done = completeRows(bench, rows);
  const out = process.env.HPSS_BENCH_OUT;
  if (out) appendFileSync(out, done.map((r) => JSON.stringify(r) + '\n').join(''));
  else console.log(formatTable(done));
}

/** Runs a bench's main: a failure is printed with its stack and makes the exit status 1. */
function runBench(name, main) {
  main().catch((err) => {
    console.error(`bench/${name}: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  });
}

module.exports = {
  ROOT, QUICK, bundle, pinMode, pinSelf, serverCommand, startServerProcess, stopServerProcesses, startTestHosts, stopTestHosts,
  portOf, memoryMiB, treeRssMiB, whenIdle, runBench, median, percentile, completeRows, formatTable, report,
};
