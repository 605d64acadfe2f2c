/**
 * `npm run bench`: runs every benchmark below in turn, collects the rows each reports
 * (bench/lib/report.js, through the file in HPSS_BENCH_OUT), prints ONE table at the end and
 * writes bench/results/latest.json (the rows plus the machine). Extra arguments (e.g. --quick)
 * are passed to each script; `--only NAME[,NAME]` runs just those (names as in BENCHES).
 * A bench whose anchors are measured both ways runs once per pinning (HPSS_BENCH_PIN).
 */
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { formatTable, pinMode } = require('./lib/report');

const BENCHES = [
  { name: 'codec', script: 'codec.js', pins: ['one'] },
  { name: 'hello', script: 'hello.js', pins: ['split', 'one'] },
  { name: 'server', script: 'server.js', pins: ['split'] },
  { name: 'get', script: 'builtin-get.js', pins: ['split'] },
  { name: 'proxy', script: 'proxy.js', pins: ['split'] },
  { name: 'burst', script: 'hello-burst.js', pins: ['split'] },
  { name: 'ui', script: 'ui.js', pins: ['none'] },
];

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : null;
const passed = onlyAt >= 0 ? [...args.slice(0, onlyAt), ...args.slice(onlyAt + 2)] : args;

const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-run-'));
const out = join(dir, 'rows.jsonl');
writeFileSync(out, '');
const started = new Date();
const failed = [];
const canPin = pinMode() !== 'none';
for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  for (const pin of canPin ? b.pins : ['none']) {
    console.error(`bench: ${b.script} (${pin === 'none' ? 'unpinned' : pin === 'split' ? 'client and server on separate cores' : 'one core'})`);
    const t0 = Date.now();
    const res = spawnSync(process.execPath, [join(__dirname, b.script), ...passed], {
      stdio: 'inherit',
      env: { ...process.env, HPSS_BENCH_OUT: out, HPSS_BENCH_PIN: pin },
    });
    console.error(`bench: ${b.script} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (res.status !== 0) failed.push(b.script);
  }
}
const rows = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
rmSync(dir, { recursive: true, force: true });

const cpuModel = cpus()[0]?.model ?? 'unknown';
const machine = { nproc: cpus().length, cpu: cpuModel, node: process.version, started: started.toISOString(), quick: passed.includes('--quick') };
console.log(`\n${machine.nproc} × ${cpuModel}, Node ${process.version}, ${machine.started}${machine.quick ? ', --quick' : ''}\n`);
console.log(formatTable(rows));
if (failed.length) console.log(`\nFAILED: ${failed.join(', ')}`);

const results = join(__dirname, 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'latest.json'), JSON.stringify({ machine, failed, rows }, null, 2) + '\n');
console.log(`\nrows written to bench/results/latest.json`);
process.exitCode = failed.length ? 1 : 0;
