/**
 * `hello` round trips per second on one connection, in one run:
 *   - the loopback limit: the same request and response bytes echoed by a raw socket server,
 *     driven by a raw Node client and by Python's blocking sockets (Breezy's I/O model);
 *   - Breezy's client against Breezy's server (`brz serve`);
 *   - our client against Breezy's server;
 *   - our client against our server medium (TcpListener + the hello-only backend).
 * Every server runs in its own process, as Breezy's does. The configurations take turns for
 * ROUNDS short rounds and each keeps its best round, so a burst of load elsewhere on the
 * machine hits all of them alike. Reports calls/s, each as a ratio to Breezy↔Breezy and to the
 * Node echo limit; the goals (issue 13): ours↔ours ≥ 85% of that limit and ahead of Breezy.
 * Our side is the TypeScript source bundled with esbuild (no build step needed).
 * Usage: node bench/hello.js [--quick]
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { bundle, pinMode, pinSelf, portOf, QUICK, report, runBench, startServerProcess, startTestHosts, stopTestHosts } = require('./lib/report');

const SECONDS = QUICK ? 0.3 : 0.75;
const ROUNDS = QUICK ? 3 : 6;

const CLIENT = () =>
  require(bundle('hello-client', [
    "export { SmartClient } from './src/main/client/smart-client';",
    "export { TcpClientMedium } from './src/main/medium/tcp-client-medium';",
    "export { EventBus, IdSource } from './src/main/bus/event-bus';",
  ].join('\n')));

// Our server in a child process: prints its URL, serves until killed.
const OUR_SERVER_SOURCE = `
import { EventBus, IdSource } from './src/main/bus/event-bus';
import { HelloBackend } from './src/main/server/backends/hello';
import { parseListen } from './src/main/server/listen-address';
import { PolicyStore } from './src/main/server/policies/settings';
import { TcpListener } from './src/main/server/tcp-listener';
const bus = new EventBus();
const listener = new TcpListener({ ownerId: 's1', address: parseListen('127.0.0.1:0'), backend: new HelloBackend(), policy: new PolicyStore(), bus, ids: new IdSource() });
listener.listen().then((url) => process.stdout.write(url + '\\n'));
`;

// The loopback limit: answers each complete request with the response bytes, nothing decoded.
const ECHO_SERVER = `
const net = require('node:net');
const [reqLen, response] = [Number(process.argv[1]), Buffer.from(process.argv[2], 'hex')];
const server = net.createServer((s) => {
  s.setNoDelay(true);
  let pending = 0;
  s.on('data', (d) => { pending += d.length; while (pending >= reqLen) { pending -= reqLen; s.write(response); } });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('bzr://127.0.0.1:' + server.address().port + '/\\n'));
`;

async function oursAgainst(lib, url) {
  const bus = new lib.EventBus();
  const ids = new lib.IdSource();
  const medium = new lib.TcpClientMedium({ bus, ids, host: '127.0.0.1', port: portOf(url) });
  const client = new lib.SmartClient(medium, { bus, ids });
  await client.call('hello'); // connect and negotiate outside the timing
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await client.call('hello');
    n += 100;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  medium.close();
  return rate;
}

/** The loopback limit: the same bytes, written and awaited by a raw socket, nothing decoded. */
async function rawAgainst(url, request, responseLength) {
  const net = require('node:net');
  const socket = net.connect(portOf(url), '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  let pending = 0;
  let wake = null;
  socket.on('data', (d) => {
    pending += d.length;
    if (pending >= responseLength && wake) {
      pending -= responseLength;
      const w = wake;
      wake = null;
      w();
    }
  });
  const once = () => new Promise((resolve) => {
    wake = resolve;
    socket.write(request);
  });
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await once();
    n += 100;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  socket.destroy();
  return rate;
}

// The same raw exchange from Python's blocking sockets (no event loop): Breezy's I/O model.
const RAW_PYTHON_CLIENT = `
import socket, sys, time
port, seconds, request, n_resp = int(sys.argv[1]), float(sys.argv[2]), bytes.fromhex(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection(('127.0.0.1', port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
n, t0 = 0, time.perf_counter()
end = t0 + seconds
while time.perf_counter() < end:
    for _ in range(100):
        s.sendall(request)
        got = 0
        while got < n_resp:
            got += len(s.recv(65536))
    n += 100
print(n / (time.perf_counter() - t0))
`;

const BREEZY_CLIENT = `
import sys, time, breezy
from breezy.bzr.smart import medium, client
with breezy.initialize():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    m = medium.SmartTCPClientMedium('127.0.0.1', port, 'bzr://127.0.0.1:%d/' % port)
    c = client._SmartClient(m)
    c.call(b'hello')
    n, t0 = 0, time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        for _ in range(100):
            c.call(b'hello')
        n += 100
    print(n / (time.perf_counter() - t0))
    m.disconnect()
`;

// Breezy's client over pipes to \`brz serve --inet\` (the server our Breezy relay runs), on the server core.
const BREEZY_PIPES_CLIENT = `
import subprocess, sys, time, breezy
from breezy.bzr.smart import medium, client
with breezy.initialize():
    seconds, core = float(sys.argv[1]), sys.argv[2]
    cmd = ['brz', 'serve', '--inet', '--directory=/tmp']
    p = subprocess.Popen((['taskset', '-c', core] if core else []) + cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    m = medium.SmartSimplePipesClientMedium(p.stdout, p.stdin, 'bzr://pipes/')
    c = client._SmartClient(m)
    c.call(b'hello')
    n, t0 = 0, time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        for _ in range(100):
            c.call(b'hello')
        n += 100
    print(n / (time.perf_counter() - t0))
    p.stdin.close()
    p.wait()
`;

function breezyOverPipes(env) {
  const mode = pinMode();
  const core = mode === 'split' ? '1' : mode === 'one' ? '0' : '';
  return Number(execFileSync('/usr/bin/python3', ['-c', BREEZY_PIPES_CLIENT, String(SECONDS), core], { env, encoding: 'utf8' }).trim());
}

function breezyAgainst(url, env) {
  return Number(execFileSync('/usr/bin/python3', ['-c', BREEZY_CLIENT, String(portOf(url)), String(SECONDS)], { env, encoding: 'utf8' }).trim());
}

async function main() {
  pinSelf();
  const lib = CLIENT();
  const ourServer = bundle('hello-server', OUR_SERVER_SOURCE);
  const dir = mkdtempSync(join(tmpdir(), 'hpss-bench-hello-'));
  const { hostEnv, env } = startTestHosts(dir);
  const children = [];
  try {
    // The exact v3 hello bytes our client sends and Breezy's server answers.
    const proto = require(bundle('hello-bytes', "export { encodeRequest, encodeResponse, utf8Bytes } from './src/shared/protocol';"));
    const request = proto.encodeRequest({ protocol: 3, args: [proto.utf8Bytes('hello')] });
    const response = proto.encodeResponse({ protocol: 3, status: 'S', args: [proto.utf8Bytes('ok'), proto.utf8Bytes('2')] });
    const echo = await startServerProcess(process.execPath, ['-e', ECHO_SERVER, String(request.length), Buffer.from(response).toString('hex')]);
    const ours = await startServerProcess(process.execPath, [ourServer]);
    children.push(echo.child, ours.child);

    const configs = {
      'loopback, Node raw client ↔ raw echo': () => rawAgainst(echo.url, request, response.length),
      'loopback, Python blocking client ↔ raw echo': async () => Number(execFileSync('/usr/bin/python3', ['-c', RAW_PYTHON_CLIENT, String(portOf(echo.url)), String(SECONDS), Buffer.from(request).toString('hex'), String(response.length)], { encoding: 'utf8' }).trim()),
      'our client → raw echo': () => oursAgainst(lib, echo.url),
      'Breezy client → brz serve': async () => breezyAgainst(hostEnv.BZR_URL, env),
      'Breezy client → brz serve --inet (pipes)': async () => breezyOverPipes(env),
      'our client → brz serve': () => oursAgainst(lib, hostEnv.BZR_URL),
      'Breezy client → our server': async () => breezyAgainst(ours.url, env),
      'our client → our server': () => oursAgainst(lib, ours.url),
    };
    const results = Object.fromEntries(Object.keys(configs).map((name) => [name, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, measure] of Object.entries(configs)) results[name] = Math.max(results[name], await measure());
    }
    const breezy = results['Breezy client → brz serve'];
    const limit = results['loopback, Node raw client ↔ raw echo'];
    const unit = 'calls/s';
    report('hello', [
      { name: 'Node raw echo round trips (the limit)', value: limit, unit, breezy },
      { name: 'Breezy client → brz serve over TCP (the Breezy anchor)', value: breezy, unit, breezy, limit },
      { name: 'Python blocking sockets ↔ raw echo', value: results['loopback, Python blocking client ↔ raw echo'], unit, breezy, limit },
      { name: 'Breezy client → brz serve --inet, over pipes', value: results['Breezy client → brz serve --inet (pipes)'], unit, breezy, limit },
      { name: 'our client → raw echo', value: results['our client → raw echo'], unit, breezy, limit },
      { name: 'Breezy client → our server', value: results['Breezy client → our server'], unit, breezy, limit },
      { name: 'our client → brz serve', value: results['our client → brz serve'], unit, breezy, limit },
      {
        name: 'hello round trips, our client → our server', value: results['our client → our server'], unit, breezy, limit,
        note: `one connection, best of ${ROUNDS} × ${SECONDS} s`,
        goal: [{ of: 'limit', min: 0.85, text: '≥ 85% of limit' }, { of: 'breezy', min: 1, text: 'ahead of Breezy↔Breezy' }],
      },
    ]);
  } finally {
    for (const c of children) c.kill();
    stopTestHosts(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench('hello', main);
