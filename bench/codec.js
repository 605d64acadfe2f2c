/**
 * Decoder throughput: ours against Breezy's own Python decoders, on the same bytes, in one run.
 *   (a) small messages: a stream of short v3 requests and responses, like a brz session's
 *   (b) large bodies: v3 responses of 1 MiB body parts, and a v2 chunked body
 * Our decoder hands body bytes on as views, never copying them; Breezy's joins each part
 * into a bytes object. The "copied out" row makes our consumer copy every body byte once
 * too (into a reused buffer, as a relay or file writer would), so both sides move the bytes.
 * Both sides are fed 64 KiB pieces (Breezy's MAX_SOCKET_CHUNK); best of N runs each, and
 * Breezy runs both before and after ours (best of both), so a load change hurts neither side.
 * Our side is the TypeScript source bundled with esbuild (so no build step is needed).
 * Usage: node bench/codec.js [--quick]
 */
const { buildSync } = require('esbuild');
const { spawnSync } = require('node:child_process');
const { mkdtempSync, writeFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const { QUICK, pinSelf, report } = require('./lib/report');

const REPEATS = QUICK ? 3 : 7;
// Breezy is slow enough that fewer of its runs suffice (it runs before and after ours: twice this).
const BREEZY_REPEATS = QUICK ? 2 : 3;
const CHUNK = 64 * 1024;
const PYTHON = process.env.BREEZY_PYTHON || '/usr/bin/python3';

function loadProtocol(dir) {
  const outfile = join(dir, 'protocol.js');
  buildSync({
    entryPoints: [join(__dirname, '../src/shared/protocol/index.ts')],
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error',
  });
  return require(outfile);
}

function concat(list) {
  return new Uint8Array(Buffer.concat(list));
}

const SMALL = QUICK ? 20000 : 100000;
const PARTS = QUICK ? 32 : 128;
const b = (s) => new Uint8Array(Buffer.from(s));
const VERBS = [
  ['BzrDir.open_2.1', 'trunk/'], ['Branch.get_stacked_on_url', 'trunk/'], ['Branch.last_revision_info', 'trunk/'],
  ['Repository.get_rev_id_for_revno', 'trunk/', '5', 'capture@example.com-20240105100000-dhwrpknxmv73k9qj'],
  ['get', '/trunk/.bzr/branch/format'], ['Transport.is_readonly'],
].map((args) => args.map(b));
const PART = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 255);

/** A brz session's kind of traffic: short v3 requests, each with its response (codec_breezy.py encodes the same). */
function encodeSmall(p, n) {
  const small = [];
  for (let i = 0; i < n; i++) {
    small.push(p.encodeRequest({ protocol: 3, args: VERBS[i % VERBS.length] }));
    small.push(p.encodeResponse({ protocol: 3, status: i % 7 ? 'S' : 'E', args: [b('ok'), b(String(i))] }));
  }
  return small;
}

const encodeLarge = (p, protocol) => p.encodeResponse({ protocol, status: 'S', args: [b('ok')], bodyStream: Array(PARTS).fill(PART) });

function workloads(p) {
  const n = SMALL;
  const small = encodeSmall(p, n);
  const bigV3 = encodeLarge(p, 3);
  const bigV2 = encodeLarge(p, 2);
  // Small messages are decoded as one response stream of alternating kinds: a v3 response
  // decoder needs no verb, and requests and responses share the framing.
  return [
    { name: 'small v3 messages', kind: 'v3', bytes: concat(small), messages: 2 * n, protocol: 3, verb: 'hello' },
    { name: 'large v3 body parts', kind: 'v3', bytes: bigV3, messages: 1, protocol: 3, verb: 'Repository.get_stream' },
    { name: 'large v3 body parts, copied out', kind: 'v3', bytes: bigV3, messages: 1, protocol: 3, verb: 'Repository.get_stream', copy: true },
    { name: 'large v2 chunked body', kind: 'v2-chunked', bytes: bigV2, messages: 1, protocol: 2, verb: 'Repository.get_stream' },
  ];
}

function decodeOurs(p, w) {
  let messages = 0;
  let bodyBytes = 0;
  let args = null;
  const sink = w.copy ? new Uint8Array(CHUNK) : null;
  const decoder = new p.ResponseStreamDecoder((e) => {
    if (e.type === 'message-end') messages++;
    else if (e.type === 'body-data') {
      if (sink) sink.set(e.data);
      bodyBytes += e.data.length;
    }
    else if (e.type === 'args') args = e.args;
  });
  for (let i = 0; i < w.messages; i++) decoder.expect({ protocol: w.protocol, verb: w.verb });
  const bytes = w.bytes;
  for (let at = 0; at < bytes.length; at += CHUNK) decoder.feed(bytes.subarray(at, at + CHUNK));
  decoder.finish();
  if (messages !== w.messages || args === null) throw new Error(`decoded ${messages} of ${w.messages} messages`);
  return bodyBytes;
}

/** Best of REPEATS seconds for `work`, after one run that warms the JIT. */
function bestSeconds(work) {
  work();
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

function main() {
  pinSelf();
  const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-codec-'));
  try {
    const p = loadProtocol(dir);
    const ws = workloads(p);
    const specs = ws.map((w, i) => {
      const file = join(dir, `w${i}.bin`);
      writeFileSync(file, w.bytes);
      return `${w.name}:${w.kind}:${file}`;
    });
    const runBreezy = () => {
      const py = spawnSync(PYTHON, [join(__dirname, 'codec_breezy.py'), String(BREEZY_REPEATS), ...specs], { encoding: 'utf8' });
      if (py.status !== 0) throw new Error(`Breezy decoder failed: ${py.stderr}`);
      return JSON.parse(py.stdout);
    };
    const before = runBreezy();
    const ourTimes = ws.map((w) => bestSeconds(() => decodeOurs(p, w)));
    const after = runBreezy();
    const rows = ws.map((w, i) => {
      const ours = ourTimes[i];
      const theirs = Math.min(before[w.name].seconds, after[w.name].seconds);
      const small = w.messages > 1;
      const per = small ? w.messages : w.bytes.length / 1e6;
      return {
        name: `decode ${w.name} (${(w.bytes.length / 1e6).toFixed(0)} MB)`,
        value: per / ours, unit: small ? 'msg/s' : 'MB/s', breezy: per / theirs,
        note: `best of ${REPEATS}, 64 KiB pieces`,
        goal: small ? { of: 'breezy', min: 20, text: '≥ 20× Breezy' } : { of: 'breezy', min: 5, text: '≥ 5× Breezy' },
      };
    });
    const py = spawnSync(PYTHON, [join(__dirname, 'codec_breezy.py'), 'encode', String(2 * BREEZY_REPEATS), String(SMALL), String(PARTS)], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(`Breezy encoder failed: ${py.stderr}`);
    const theirs = JSON.parse(py.stdout);
    const ours = { small: bestSeconds(() => encodeSmall(p, SMALL)), large: bestSeconds(() => encodeLarge(p, 3)) };
    rows.push(
      { name: `encode small v3 messages (${SMALL} requests + responses)`, value: (2 * SMALL) / ours.small, unit: 'msg/s', breezy: (2 * SMALL) / theirs.small.seconds, note: `best of ${REPEATS}` },
      { name: `encode a v3 response of ${PARTS} × 1 MiB body parts`, value: (theirs.large.bytes / 1e6) / ours.large, unit: 'MB/s', breezy: (theirs.large.bytes / 1e6) / theirs.large.seconds, note: `best of ${REPEATS}` },
    );
    report('codec', rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
