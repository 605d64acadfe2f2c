/**
 * Mutation fuzzing of every decoder in src/shared/protocol and of a live server.
 *
 * Decoders (in this process): bdecode, version detection, the request and response stream
 * decoders (each fed in random splits, then finished), the connection decoder, and the
 * message collector and renderer on top. Seeds are the real captures in
 * tests/fixtures/captures plus messages made by our encoders for v1, v2 and v3; each input
 * is a seed with 1–8 mutations (bit flips, interesting bytes, inserted or deleted runs,
 * digits blown up in length fields, splices, truncation). A decoder may refuse an input
 * only with an HpssError of kind `protocol`; anything else it throws, or an input that
 * takes over SLOW_MS, is a finding: the input is saved under bench/fuzz-findings/ and the
 * run exits 1. Each finding becomes a named regression test in tests/shared/protocol.
 *
 * Live server (a child process): our TcpListener with the hello-only backend (default), or
 * `hpss serve` on Breezy (`--breezy`, needs `npm run build`). Mutated requests go over
 * fresh connections, CONCURRENCY at a time; afterwards the server must still answer a
 * well-formed hello and its memory must be within 2× of its start.
 *
 * Usage: node bench/fuzz.js [--iterations N] [--live N] [--seed S] [--breezy] [--quick]
 *   --iterations N  mutated inputs per decoder target (default 1,000,000)
 *   --live N        mutated requests sent to the live server (default 20,000)
 *   --seed S        PRNG seed (default: time-based; printed, so a run can be repeated)
 *   --quick         10,000 per decoder and 1,000 live
 */
const { buildSync } = require('esbuild');
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
// Bundles and the served folder in a private folder: a shared cache could be cleaned under us.
const WORK = mkdtempSync(join(tmpdir(), 'hpss-fuzz-'));
process.on('exit', () => rmSync(WORK, { recursive: true, force: true }));
const FINDINGS = join(__dirname, 'fuzz-findings');
const CAPTURES = join(ROOT, 'tests', 'fixtures', 'captures');
const SLOW_MS = 1_000;
const CONCURRENCY = 16;
const LIVE_CONNECTION_MS = 1_000;
const HELLO_GRACE_MS = 10_000;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} wants a number ≥ 0`);
  return value;
}
const QUICK = process.argv.includes('--quick');
const ITERATIONS = option('--iterations', QUICK ? 10_000 : 1_000_000);
const LIVE = option('--live', QUICK ? 1_000 : 20_000);
const SEED = option('--seed', Date.now() % 2 ** 31);
const BREEZY = process.argv.includes('--breezy');

function bundle(name, contents) {
  const outfile = join(WORK, `${name}.js`);
  buildSync({ stdin: { contents, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error', external: ['ssh2'] });
  return outfile;
}

const lib = require(bundle('fuzz-protocol', "export * from './src/shared/protocol';"));

/** xorshift32: deterministic for a seed, fast, good enough to pick mutations. */
function prng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { next, below: (n) => (n <= 0 ? 0 : next() % n), chance: (p) => next() / 2 ** 32 < p };
}

function encodedSeeds() {
  const te = new TextEncoder();
  const b = (s) => te.encode(s);
  const headers = new Map([['Software version', b('3.3.2')]]);
  const seeds = [];
  for (const protocol of [1, 2, 3]) {
    seeds.push(lib.encodeRequest({ protocol, args: [b('hello')] }));
    seeds.push(lib.encodeRequest({ protocol, args: [b('get'), b('/trunk/.bzr/branch-format')] }));
    seeds.push(lib.encodeRequest({ protocol, args: [b('put_non_atomic'), b('x'), b(''), b('F'), b('')], body: b('body bytes\n'.repeat(20)) }));
    seeds.push(lib.encodeResponse({ protocol, status: 'S', args: [b('ok'), b('2')] }));
    seeds.push(lib.encodeResponse({ protocol, status: 'E', args: [b('NoSuchFile'), b('/x')] }));
    seeds.push(lib.encodeResponse({ protocol, status: 'S', args: [b('ok')], body: b('0123456789'.repeat(30)) }));
  }
  seeds.push(lib.encodeRequest({ protocol: 3, args: [b('Repository.get_stream'), b('r/'), b('2a')], headers, bodyStream: [b('part one'), b('part two')] }));
  seeds.push(lib.encodeResponse({ protocol: 3, status: 'S', args: [b('ok')], headers, bodyStream: [b('a'), b('bb')], postBodyError: [b('error'), b('oops')] }));
  return seeds;
}

/** Both directions of each capture, and each pair, so a connection can be fuzzed on one side. */
function captureSeeds() {
  const seeds = { c2s: [], s2c: [], pairs: [] };
  for (const name of readdirSync(CAPTURES)) {
    const m = /^(.*)\.c2s\.bin$/.exec(name);
    if (!m) continue;
    const pair = [new Uint8Array(readFileSync(join(CAPTURES, name))), new Uint8Array(readFileSync(join(CAPTURES, `${m[1]}.s2c.bin`)))];
    seeds.c2s.push(pair[0]);
    seeds.s2c.push(pair[1]);
    seeds.pairs.push(pair);
  }
  return seeds;
}

const INTERESTING = [0x00, 0x01, 0x0a, 0x30, 0x39, 0x3a, 0x64, 0x65, 0x69, 0x6c, 0x6d, 0x6f, 0x62, 0x73, 0x7f, 0x80, 0xff];

/** `bytes` with `insert` put in place of `remove` bytes at `at` (a new array; native copies only). */
function splice(bytes, at, remove, insert = EMPTY) {
  const out = new Uint8Array(bytes.length - Math.min(remove, bytes.length - at) + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}
const EMPTY = new Uint8Array(0);

/** One to eight mutations of `seed` (never modifying it); long seeds are cut to their first 1–4 KiB first. */
function mutate(rng, seed, pool) {
  let bytes = seed.length > 4096 ? seed.slice(0, 1024 + rng.below(3072)) : seed.slice();
  // Mostly one or two mutations, so inputs get past the first bytes; sometimes up to eight.
  const count = rng.chance(0.75) ? 1 + rng.below(2) : 1 + rng.below(8);
  for (let k = 0; k < count; k++) {
    const at = rng.below(bytes.length + 1);
    switch (rng.below(9)) {
      case 0: // flip a bit
        if (bytes.length) bytes[at % bytes.length] ^= 1 << rng.below(8);
        break;
      case 1: // an interesting byte
        if (bytes.length) bytes[at % bytes.length] = INTERESTING[rng.below(INTERESTING.length)];
        break;
      case 2: // insert a run of one byte
        bytes = splice(bytes, at, 0, new Uint8Array(1 + rng.below(16)).fill(INTERESTING[rng.below(INTERESTING.length)]));
        break;
      case 3: // delete a run
        bytes = splice(bytes, at, 1 + rng.below(16));
        break;
      case 4: // blow up a length: a digit becomes many digits
        for (let i = 0; i < bytes.length; i++) {
          const j = (at + i) % bytes.length;
          if (bytes[j] >= 0x30 && bytes[j] <= 0x39) {
            bytes = splice(bytes, j, 1, Buffer.from(String(rng.chance(0.5) ? 2 ** 31 + rng.below(1000) : rng.below(100000))));
            break;
          }
        }
        break;
      case 5: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 6: { // splice in part of another seed
        const other = pool[rng.below(pool.length)];
        const from = rng.below(other.length);
        bytes = splice(bytes, at, 0, other.subarray(from, from + 1 + rng.below(64)));
        break;
      }
      case 7: // duplicate a run
        bytes = splice(bytes, at, 0, bytes.slice(at, at + 1 + rng.below(32)));
        break;
      default: // random bytes
        for (let i = rng.below(8); i >= 0; i--) bytes = splice(bytes, rng.below(bytes.length + 1), 0, Uint8Array.of(rng.below(256)));
    }
  }
  return bytes;
}

/** Feeds `bytes` in random splits (sometimes one byte at a time). */
function feedSplit(rng, bytes, feed) {
  let i = 0;
  const oneByOne = rng.chance(0.01);
  while (i < bytes.length) {
    const n = oneByOne ? 1 : 1 + rng.below(Math.max(1, bytes.length - i));
    feed(bytes.subarray(i, i + n));
    i += n;
  }
}

const hashFactory = () => createHash('sha256');
const EXPECTED = [
  { protocol: 3, verb: 'hello' },
  { protocol: 2, verb: 'get' },
  { protocol: 1, verb: 'get' },
  { protocol: 2, verb: 'Repository.get_stream' },
  { protocol: 3, verb: 'Repository.get_stream' },
];
const OPTS = { maxStructureBytes: 1 << 20 };

/** Every decoder target: name, the seeds it mutates, and how it decodes one input. */
function targets(seeds) {
  const requests = [...seeds.c2s, ...seeds.encoded];
  const responses = [...seeds.s2c, ...seeds.encoded];
  return [
    { name: 'bdecode', pool: [...seeds.bencode, ...seeds.encoded], run: (rng, input) => lib.bdecode(input, { maxDepth: 64 }) },
    { name: 'detectRequestVersion', pool: requests, run: (rng, input) => lib.detectRequestVersion(input) },
    {
      name: 'RequestStreamDecoder',
      pool: requests,
      run: (rng, input) => {
        const d = new lib.RequestStreamDecoder(() => {}, OPTS);
        feedSplit(rng, input, (c) => d.feed(c));
        d.finish();
      },
    },
    {
      name: 'ResponseStreamDecoder',
      pool: responses,
      run: (rng, input) => {
        const d = new lib.ResponseStreamDecoder(() => {}, OPTS);
        for (let i = 0; i < 1 + rng.below(4); i++) d.expect(EXPECTED[rng.below(EXPECTED.length)]);
        feedSplit(rng, input, (c) => d.feed(c));
        d.finish();
      },
    },
    {
      name: 'ConnectionDecoder+MessageCollector+MessageRenderer',
      pool: [...seeds.c2s, ...seeds.s2c],
      /** A real conversation with one side mutated (sometimes both). */
      input: (rng) => {
        const [c2s, s2c] = seeds.pairs[rng.below(seeds.pairs.length)];
        const both = rng.chance(0.1);
        const side = rng.chance(0.5);
        return [side || both ? mutate(rng, c2s, seeds.c2s) : c2s, !side || both ? mutate(rng, s2c, seeds.s2c) : s2c];
      },
      run: (rng, [req, res]) => {
        const collectors = { c2s: new lib.MessageCollector(() => {}, { maxBodyBytes: 1 << 20 }), s2c: new lib.MessageCollector(() => {}, { maxBodyBytes: 1 << 20 }) };
        const renderers = { c2s: new lib.MessageRenderer('c2s', hashFactory, () => {}), s2c: new lib.MessageRenderer('s2c', hashFactory, () => {}) };
        const d = new lib.ConnectionDecoder((dir, e) => {
          collectors[dir].onEvent(e);
          renderers[dir].onEvent(e);
        }, OPTS);
        feedSplit(rng, req, (c) => d.feedRequestBytes(c));
        feedSplit(rng, res, (c) => d.feedResponseBytes(c));
        d.finish();
      },
    },
  ];
}

function saveFinding(target, input, err) {
  mkdirSync(FINDINGS, { recursive: true });
  // A conversation is saved as c2s then s2c, with the split in the note beside it.
  const note = Array.isArray(input) ? `c2s: the first ${input[0].length} bytes; s2c: the rest\n` : '';
  const bytes = Array.isArray(input) ? Buffer.concat(input) : input;
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const file = join(FINDINGS, `${target}-${id}.bin`);
  writeFileSync(file, bytes);
  writeFileSync(`${file}.txt`, `${note}${err && err.stack ? err.stack : String(err)}\n`);
  return file;
}

function fuzzDecoders(seeds) {
  const rng = prng(SEED);
  const findings = [];
  for (const t of targets(seeds)) {
    const t0 = performance.now();
    let refused = 0;
    let slowest = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const input = t.input ? t.input(rng) : mutate(rng, t.pool[rng.below(t.pool.length)], t.pool);
      const start = performance.now();
      try {
        t.run(rng, input);
      } catch (err) {
        if (err instanceof lib.HpssError && err.kind === 'protocol') refused++;
        else findings.push({ target: t.name, file: saveFinding(t.name, input, err), error: String(err) });
      }
      let ms = performance.now() - start;
      // A slow input must be slow again: a pause of a busy machine or the GC is not a finding.
      for (let again = 0; again < 2 && ms > SLOW_MS; again++) {
        const again0 = performance.now();
        try {
          t.run(rng, input);
        } catch {
          // refused or crashed: the first run already said which
        }
        ms = Math.min(ms, performance.now() - again0);
      }
      slowest = Math.max(slowest, ms);
      if (ms > SLOW_MS) findings.push({ target: t.name, file: saveFinding(t.name, input, `slow: ${ms.toFixed(0)} ms`), error: `slow: ${ms.toFixed(0)} ms` });
    }
    const s = (performance.now() - t0) / 1000;
    console.log(`${t.name.padEnd(52)} ${ITERATIONS} inputs in ${s.toFixed(1)} s, ${refused} refused as protocol errors, slowest ${slowest.toFixed(1)} ms`);
  }
  return findings;
}

// ---- the live server ----

const HELLO_SERVER = `
import { EventBus, IdSource } from './src/main/bus/event-bus';
import { HelloBackend } from './src/main/server/backends/hello';
import { parseListen } from './src/main/server/listen-address';
import { PolicyStore } from './src/main/server/policies/settings';
import { TcpListener } from './src/main/server/tcp-listener';
const bus = new EventBus();
const listener = new TcpListener({ ownerId: 's1', address: parseListen('127.0.0.1:0'), backend: new HelloBackend(), policy: new PolicyStore({ clientTimeoutSec: 2 }), bus, ids: new IdSource() });
listener.listen().then((url) => process.stdout.write(url + '\\n'));
`;

function startServer() {
  const [cmd, args] = BREEZY
    ? [process.execPath, [join(ROOT, 'bin', 'hpss.js'), 'serve', join(WORK, 'served'), '--listen', '127.0.0.1:0', '--client-timeout', '2']]
    : [process.execPath, [bundle('fuzz-hello-server', HELLO_SERVER)]];
  if (BREEZY) mkdirSync(join(WORK, 'served'));
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /bzr:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Sends `bytes` on a fresh connection, half-closes, and waits (bounded) for the server to close. */
function exchange(port, bytes, ms = LIVE_CONNECTION_MS) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answered = 0;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (d) => (answered += d.length));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.end(bytes));
  });
}

const GOOD_HELLO = () => lib.encodeRequest({ protocol: 3, args: [new TextEncoder().encode('hello')] });

async function fuzzLive(seeds) {
  if (LIVE === 0) return [];
  const rng = prng(SEED ^ 0x5bd1e995);
  const pool = [...seeds.c2s, ...seeds.encoded];
  const { child, port } = await startServer();
  const findings = [];
  let exited = null;
  child.once('exit', (code, signal) => (exited = `${code ?? signal}`));
  try {
    await exchange(port, GOOD_HELLO());
    const rssStart = rssKiB(child.pid);
    const t0 = performance.now();
    let sent = 0;
    let answered = 0;
    let rssHalf = 0;
    const worker = async () => {
      while (sent < LIVE && exited === null) {
        sent++;
        if (sent === Math.floor(LIVE / 2)) rssHalf = rssKiB(child.pid);
        if ((await exchange(port, mutate(rng, pool[rng.below(pool.length)], pool))) > 0) answered++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const s = (performance.now() - t0) / 1000;
    // A well-behaved client must still be answered; a server still busy with the flood gets HELLO_GRACE_MS.
    const t1 = performance.now();
    const helloBack = exited === null ? await exchange(port, GOOD_HELLO(), HELLO_GRACE_MS) : 0;
    const helloMs = performance.now() - t1;
    const rssEnd = exited === null ? rssKiB(child.pid) : 0;
    console.log(
      `live ${BREEZY ? 'hpss serve (Breezy)' : 'server (hello backend)'}`.padEnd(52) +
        ` ${sent} mutated requests in ${s.toFixed(1)} s, ${answered} answered; then hello in ${helloMs.toFixed(0)} ms; RSS ${(rssStart / 1024).toFixed(0)} → ${(rssHalf / 1024).toFixed(0)} (half way) → ${(rssEnd / 1024).toFixed(0)} MiB`,
    );
    if (exited !== null) findings.push({ target: 'live server', error: `the server exited (${exited})` });
    else if (helloBack === 0) findings.push({ target: 'live server', error: `the server did not answer a well-formed hello within ${HELLO_GRACE_MS / 1000} s` });
    else if (rssEnd > 2 * rssStart + 32 * 1024) {
      // Still growing in the second half is a leak; level since half way is a bounded store
      // (the engine's ring of recent events), reported for the server limits, not a crash.
      if (rssEnd > rssHalf * 1.1) findings.push({ target: 'live server', error: `memory still growing: ${rssStart} → ${rssHalf} → ${rssEnd} KiB` });
      else console.log(`NOTE live server: memory levelled at ${(rssEnd / 1024).toFixed(0)} MiB, over 2× its start (${(rssStart / 1024).toFixed(0)} MiB)`);
    }
  } finally {
    child.kill();
  }
  return findings;
}

async function main() {
  const seeds = { ...captureSeeds(), encoded: encodedSeeds() };
  const te = new TextEncoder();
  seeds.bencode = ['i42e', '4:spam', 'l4:spami42ee', 'd3:cow3:moo4:spam4:eggse', 'd1:ad1:bl1:ci-3eeee', 'le', 'de'].map((s) => te.encode(s));
  console.log(`fuzz: seed ${SEED}, ${ITERATIONS} inputs per decoder, ${LIVE} live; ${seeds.c2s.length + seeds.s2c.length} captures, ${seeds.encoded.length} encoded seeds`);
  const findings = [...fuzzDecoders(seeds), ...(await fuzzLive(seeds))];
  if (findings.length === 0) {
    console.log('no findings');
    return 0;
  }
  for (const f of findings.slice(0, 50)) console.log(`FINDING ${f.target}: ${f.error}${f.file ? ` (${f.file})` : ''}`);
  console.log(`${findings.length} finding(s); repeat with --seed ${SEED}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
