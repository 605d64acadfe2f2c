/**
 * VFS `get` of a 256 MiB file, in one run:
 *   - the loopback limit: a raw Node server writing the same number of bytes to a raw Node client;
 *   - a lean client (our v3 encoder and decoder on a raw socket) against `brz serve`;
 *   - the same client against our server with the built-in backend.
 * Each server runs in its own process; its peak RSS (VmHWM) is read when it is done. The
 * configurations take turns for ROUNDS rounds, each keeping its best. Verdict lines: ours ≥
 * half the loopback limit, ours ≥ 3× Breezy, our server's peak RSS < 100 MiB.
 * Our side is the TypeScript source bundled with esbuild (no build step needed).
 * Usage: node bench/builtin-get.js [--quick]
 */
const { buildSync } = require('esbuild');
const { spawn } = require('node:child_process');
const { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 1 : 3;
const SIZE = 256 * 1024 * 1024;
const ROOT = join(__dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'hpss-bench');

function bundle(name, contents) {
  mkdirSync(CACHE, { recursive: true });
  const outfile = join(CACHE, `${name}.js`);
  buildSync({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', external: ['ssh2'],
  });
  return outfile;
}

const OUR_SERVER = (dir) => `
import { EventBus, IdSource } from './src/main/bus/event-bus';
import { startServer } from './src/main/server';
startServer({ backend: 'builtin', dir: ${JSON.stringify(dir)}, listen: '127.0.0.1:0', allowWrites: false }, new EventBus(), new IdSource())
  .then((s) => process.stdout.write(s.urls[0] + '\\n'));
`;

// The loopback limit: SIZE bytes written with backpressure to whoever connects.
const RAW_SERVER = `
const net = require('node:net');
const size = Number(process.argv[1]);
const chunk = Buffer.alloc(256 * 1024, 7);
net.createServer((s) => {
  let left = size;
  const pump = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return s.once('drain', pump); } s.end(); };
  s.once('data', pump);
}).listen(0, '127.0.0.1', function () { process.stdout.write('bzr://127.0.0.1:' + this.address().port + '/\\n'); });
`;

function start(cmd, args, env) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /bzr:\/\/[^\s]+/.exec(out) ?? /listening on port: (\d+)/.exec(out);
      if (m) resolve({ url: m[0].startsWith('bzr') ? m[0] : `bzr://127.0.0.1:${m[1]}/`, child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}) before listening: ${out}`)));
  });
}

/** Peak resident set of a running process (Linux), in MiB. */
function peakRssMiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const portOf = (url) => Number(new URL(url).port);

/**
 * One `get` of /big in protocol v3 by a lean client: the request encoded once, the response
 * decoded by our sans-I/O decoder (body bytes as views, counted), nothing else. The same
 * client for every server, so what differs is the server.
 */
async function decodedGet(lib, url) {
  const net = require('node:net');
  const socket = net.connect(portOf(url), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let n = 0;
  let done = null;
  const decoder = new lib.ResponseStreamDecoder((e) => {
    if (e.type === 'body-data') n += e.data.length;
    else if (e.type === 'message-end') done();
  });
  socket.on('data', (d) => decoder.feed(d));
  const finished = new Promise((resolve) => (done = resolve));
  const t0 = performance.now();
  decoder.expect({ protocol: 3, verb: 'get' });
  socket.write(lib.encodeRequest({ protocol: 3, args: [lib.utf8Bytes('get'), lib.utf8Bytes('/big')] }));
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  socket.destroy();
  if (n !== SIZE) throw new Error(`got ${n} bytes, expected ${SIZE}`);
  return SIZE / seconds / 1e6;
}

async function rawGet(url) {
  const net = require('node:net');
  const socket = net.connect(portOf(url), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const t0 = performance.now();
  socket.write('go');
  let n = 0;
  await new Promise((resolve) => {
    socket.on('data', (d) => (n += d.length));
    socket.on('end', resolve);
  });
  const seconds = (performance.now() - t0) / 1000;
  socket.destroy();
  if (n !== SIZE) throw new Error(`raw: got ${n} bytes`);
  return SIZE / seconds / 1e6;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-get-'));
  const fd = openSync(join(dir, 'big'), 'w');
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  for (let i = 0; i < SIZE / block.length; i++) writeSync(fd, block);
  closeSync(fd);
  const lib = require(bundle('get-client', "export { ResponseStreamDecoder, encodeRequest, utf8Bytes } from './src/shared/protocol';"));
  const ourServerJs = bundle('get-server', OUR_SERVER(dir));
  const home = join(dir, 'brz-home');
  mkdirSync(home);
  const servers = {
    raw: await start(process.execPath, ['-e', RAW_SERVER, String(SIZE)]),
    breezy: await start('brz', ['serve', '--listen=127.0.0.1', '--port=0', `--directory=${dir}`], { ...process.env, BRZ_HOME: home, BRZ_LOG: '/dev/null' }),
    ours: await start(process.execPath, [ourServerJs]),
  };
  const best = { raw: 0, breezy: 0, ours: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      best.raw = Math.max(best.raw, await rawGet(servers.raw.url));
      best.breezy = Math.max(best.breezy, await decodedGet(lib, servers.breezy.url));
      best.ours = Math.max(best.ours, await decodedGet(lib, servers.ours.url));
    }
    const rss = { breezy: peakRssMiB(servers.breezy.child.pid), ours: peakRssMiB(servers.ours.child.pid) };
    const row = (name, rate, extra = '') => console.log(`${name.padEnd(44)} ${rate.toFixed(0).padStart(6)} MB/s${extra}`);
    console.log(`builtin-get: VFS get of ${SIZE / 1048576} MiB, best of ${ROUNDS}`);
    row('Node raw server → raw client (loopback limit)', best.raw);
    row('our decoder ← brz serve', best.breezy, `   peak RSS ${rss.breezy.toFixed(0)} MiB`);
    row('our decoder ← our server (built-in backend)', best.ours, `   peak RSS ${rss.ours.toFixed(0)} MiB`);
    const ofLimit = best.ours / best.raw;
    const vsBreezy = best.ours / best.breezy;
    console.log(
      `builtin-get: ours = ${(ofLimit * 100).toFixed(0)}% of the loopback limit (bar 50%: ${ofLimit >= 0.5 ? 'met' : 'MISSED'}), ` +
        `${vsBreezy.toFixed(1)}× brz serve (bar 3×: ${vsBreezy >= 3 ? 'met' : 'MISSED'}), ` +
        `peak RSS ${rss.ours.toFixed(0)} MiB (bar < 100 MiB: ${rss.ours < 100 ? 'met' : 'MISSED'})`,
    );
  } finally {
    for (const s of Object.values(servers)) s.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
