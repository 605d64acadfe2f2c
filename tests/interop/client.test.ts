import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { HpssError, renderBytes, type BValue } from '../../src/shared/protocol';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { ClientHooks, type CallHookParams } from '../../src/main/client/client-hooks';
import { subscribeDebugCounter } from '../../src/main/client/debug-counter';
import { SmartClient } from '../../src/main/client/smart-client';
import { vfsRefuser } from '../../src/main/client/vfs-refuser';
import type { ClientMedium } from '../../src/main/medium/client-medium';
import { PipesClientMedium } from '../../src/main/medium/pipes-client-medium';
import { SshClientMedium } from '../../src/main/medium/ssh-client-medium';
import { TcpClientMedium } from '../../src/main/medium/tcp-client-medium';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { V2_ONLY_BRZ } from '../support/v2-only-breezy';

// Breezy's client making four calls with -Dhpss: its _DebugCounter prints the line on stderr.
const BREEZY_COUNTED_CALLS = `
import sys, breezy
from breezy import debug
from breezy.bzr.smart import medium, client
with breezy.initialize():
    debug.debug_flags.add('hpss')
    port = int(sys.argv[1])
    m = medium.SmartTCPClientMedium('127.0.0.1', port, 'bzr://127.0.0.1:%d/' % port)
    c = client._SmartClient(m)
    c.call(b'hello')
    r, p = c.call_expecting_body(b'get', b'/trunk/.bzr/branch-format'); p.read_body_bytes()
    c.call(b'has', b'/nothing')
    c.call(b'BzrDir.open_2.1', b'trunk')
    m.disconnect()
    del c, m
`;

let hosts: TestHosts;
const ids = new IdSource();
let bus: EventBus;
let events: EngineEvent[];
beforeAll(() => {
  hosts = startTestHosts();
});
afterAll(() => hosts?.stop());

function setup<M extends ClientMedium>(make: (bus: EventBus) => M, hooks?: ClientHooks): { medium: M; client: SmartClient } {
  bus = new EventBus();
  events = [];
  bus.on((e) => events.push(e));
  const medium = make(bus);
  return { medium, client: new SmartClient(medium, { bus, ids, hooks }) };
}

const tcp = (hooks?: ClientHooks) =>
  setup((b) => new TcpClientMedium({ bus: b, ids, host: '127.0.0.1', port: hosts.env.BZR_TCP_PORT, postConnect: hooks?.postConnect }), hooks);

const text = (args: BValue[]) => args.map((a) => (a instanceof Uint8Array ? renderBytes(a) : a));

describe('against brz serve over TCP', () => {
  test('hello, in protocol v3, with call events', async () => {
    const { medium, client } = tcp();
    const res = await client.call('hello');
    expect(res).toMatchObject({ protocol: 3, status: 'S', body: null });
    expect(text(res.args)).toEqual(['ok', '2']);
    expect(medium.protocolVersion).toBe(3);
    expect(medium.remoteIsBefore).toBeNull();
    medium.close();
    const started = events.find((e) => e.type === 'call-started');
    const finished = events.find((e) => e.type === 'call-finished');
    expect(started).toMatchObject({ verb: 'hello', protocol: 3, vfs: false, verbKind: 'read', mediumId: medium.id });
    expect(finished).toMatchObject({ verb: 'hello', status: 'S', args: ['ok', '2'], responseBody: null, callId: res.callId });
    expect(events.at(-1)).toMatchObject({ type: 'medium-closed', calls: 1, vfsCalls: 0 });
  });

  test('bodies: put with a body, a streamed request body, get, readv', async () => {
    const { medium, client } = tcp();
    const content = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz\n'.repeat(20));
    expect((await client.callWithBody('put', ['/put-by-client.txt', ''], content)).status).toBe('S');
    const got = await client.call('get', '/put-by-client.txt');
    expect(Buffer.from(got.body!).equals(content)).toBe(true);
    const ranges = [[0, 10], [37, 5], [700, 40]] as const;
    const readv = await client.callWithBodyReadv('readv', ['/put-by-client.txt'], ranges);
    expect(text(readv.args)).toEqual(['readv']);
    expect(Buffer.from(readv.body!).toString()).toBe(ranges.map(([s, l]) => content.subarray(s, s + l).toString()).join(''));
    const parts = [Buffer.from('first part\n'), Buffer.from('second part\n'), Buffer.from('third\n')];
    expect((await client.callWithBodyStream('put', ['/streamed.txt', ''], parts)).status).toBe('S');
    expect(Buffer.from((await client.call('get', '/streamed.txt')).body!).toString()).toBe('first part\nsecond part\nthird\n');
    medium.close();
    expect(events.at(-1)).toMatchObject({ type: 'medium-closed', calls: 5, vfsCalls: 5 });
  });

  test('a streamed response is read as it is consumed', async () => {
    const { medium, client } = tcp();
    const all = await client.call('Repository.all_revision_ids', 'trunk/');
    const revids = Buffer.from(all.body!).toString().split('\n').filter(Boolean);
    expect(revids).toHaveLength(3);
    const streamed = await client.requestStreamed({ verb: 'Repository.iter_revisions', args: ['trunk/'], body: Buffer.from(revids.join('\n')) });
    expect(streamed.status).toBe('S');
    const chunks: Uint8Array[] = [];
    for await (const chunk of streamed.body) chunks.push(chunk);
    const done = await streamed.done;
    expect(chunks.length).toBe(done.summary.body!.parts);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(done.postBodyError).toBeNull();
    medium.close();
  });

  test('one call at a time: a second call before the streamed body is drained is refused', async () => {
    const { medium, client } = tcp();
    const streamed = await client.requestStreamed({ verb: 'get', args: ['/trunk/.bzr/branch-format'] });
    await expect(client.call('hello')).rejects.toMatchObject({ code: 'too-many-concurrent-requests' });
    for await (const chunk of streamed.body) expect(chunk.length).toBeGreaterThan(0);
    expect((await client.call('hello')).status).toBe('S');
    medium.close();
  });

  test('error responses: a missing file and an unknown verb', async () => {
    const { medium, client } = tcp();
    const missing = await client.call('get', '/no-such-file');
    expect(missing.status).toBe('E');
    expect(text(missing.args)[0]).toBe('NoSuchFile');
    const unknown = await client.call('No.Such.Verb', 'x');
    expect(text(unknown.args)).toEqual(['UnknownMethod', 'No.Such.Verb']);
    medium.close();
  });

  test('call hooks see method, args and medium, and may refuse; post_connect hooks run', async () => {
    const hooks = new ClientHooks();
    const seen: CallHookParams[] = [];
    const connected: ClientMedium[] = [];
    hooks.onCall((p) => seen.push(p));
    hooks.onPostConnect((m) => connected.push(m));
    const { medium, client } = tcp(hooks);
    await client.call('BzrDir.open_2.1', 'trunk');
    expect(seen[0].method).toBe('BzrDir.open_2.1');
    expect(text([...seen[0].args])).toEqual(['trunk']);
    expect(seen[0].medium).toBe(medium);
    expect(connected).toEqual([medium]);
    hooks.onCall(vfsRefuser);
    await expect(client.call('get', '/trunk/.bzr/branch-format')).rejects.toThrow(
      "VFS requests over the smart server are not allowed. Encountered: b'get', (b'/trunk/.bzr/branch-format',).",
    );
    expect((await client.call('hello')).status).toBe('S');
    medium.close();
    expect(events.at(-1)).toMatchObject({ type: 'medium-closed', calls: 2, vfsCalls: 0 });
  });

  test('DebugCounter reports what Breezy reports for the same calls', async () => {
    const breezy = execFileSync('/usr/bin/python3', ['-c', BREEZY_COUNTED_CALLS, String(hosts.env.BZR_TCP_PORT)], {
      env: hosts.brzEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(breezy).toBe('');
    const theirs = execBreezyStderr();
    const { medium, client } = tcp();
    const lines: string[] = [];
    subscribeDebugCounter(bus, (line) => lines.push(line), () => medium.describe());
    await client.call('hello');
    await client.call('get', '/trunk/.bzr/branch-format');
    await client.call('has', '/nothing');
    await client.call('BzrDir.open_2.1', 'trunk');
    medium.close();
    expect(lines).toEqual([`HPSS calls: 4 (2 vfs) TcpClientMedium(bzr://127.0.0.1:${hosts.env.BZR_TCP_PORT}/)`]);
    expect(theirs).toMatch(/^HPSS calls: 4 \(2 vfs\) <breezy\.bzr\.smart\.medium\.SmartTCPClientMedium object/m);
  });
});

function execBreezyStderr(): string {
  try {
    execFileSync('/usr/bin/python3', ['-c', BREEZY_COUNTED_CALLS + '\nraise SystemExit(1)\n', String(hosts.env.BZR_TCP_PORT)], {
      env: hosts.brzEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    return String((err as { stderr: Buffer }).stderr);
  }
  throw new Error('expected the script to exit 1');
}

test('over pipes: a local brz serve --inet', async () => {
  const { medium, client } = setup((b) => new PipesClientMedium({ bus: b, ids, directory: hosts.env.REPOS, env: hosts.brzEnv() }));
  expect(text((await client.call('hello')).args)).toEqual(['ok', '2']);
  expect(text((await client.call('BzrDir.open_2.1', 'trunk')).args)).toEqual(['yes', 'no']);
  medium.close();
});

test('over SSH: brz serve --inet behind a real sshd', async () => {
  const { medium, client } = setup(
    (b) =>
      new SshClientMedium({
        bus: b, ids, host: '127.0.0.1', port: hosts.env.SSH_PORT, username: hosts.env.SSH_USER,
        identityFile: hosts.env.SSH_KEY, knownHostsFile: hosts.env.SSH_KNOWN_HOSTS, agentSocket: '', remotePath: 'brz',
      }),
  );
  expect(text((await client.call('hello')).args)).toEqual(['ok', '2']);
  const opened = await client.call('BzrDir.open_2.1', `${hosts.env.REPOS.slice(1)}/trunk`);
  expect(text(opened.args)).toEqual(['yes', 'no']);
  medium.close();
});

test('a v2-only server: v3 is refused, the client reconnects, speaks v2 and remembers', async () => {
  const { medium, client } = setup(
    (b) => new PipesClientMedium({ bus: b, ids, command: ['/usr/bin/python3', '-c', V2_ONLY_BRZ, 'serve', '--inet', `--directory=${hosts.env.REPOS}`], env: hosts.brzEnv() }),
  );
  const first = await client.call('hello');
  expect(first).toMatchObject({ protocol: 2, status: 'S' });
  expect(text(first.args)).toEqual(['ok', '2']);
  expect(medium.protocolVersion).toBe(2);
  expect(medium.remoteIsBefore).toEqual([1, 6]);
  expect(medium.connectionCount).toBe(2);
  const got = await client.call('get', '/trunk/.bzr/branch-format');
  expect(got.protocol).toBe(2);
  expect(Buffer.from(got.body!).toString()).toMatch(/^Bazaar-NG meta directory/);
  expect(medium.connectionCount).toBe(2);
  expect(events.some((e) => e.type === 'error' && e.message.startsWith('Server does not understand Bazaar network protocol 3, reconnecting.'))).toBe(true);
  medium.close();
});

test('a server that dropped an idle connection: the next call reconnects and is retried, as brz does', async () => {
  // A brz serve of our own with a short idle timeout (Breezy's --client-timeout).
  const serve = spawn('brz', ['serve', '--listen=127.0.0.1', '--port=0', '--client-timeout=0.3', `--directory=${hosts.env.REPOS}`], {
    env: hosts.brzEnv({ PYTHONUNBUFFERED: '1' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      // brz serve announces its port on stderr.
      serve.stderr.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on port: (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      serve.once('exit', (code) => reject(new Error(`brz serve exited (${code})`)));
    });
    const { medium, client } = setup((b) => new TcpClientMedium({ bus: b, ids, host: '127.0.0.1', port }));
    expect((await client.call('hello')).status).toBe('S');
    // The server hangs up after 0.3 s idle: the end of stream arrives (bounded by the test timeout).
    expect(await medium.read()).toBeNull();
    const again = await client.call('hello');
    expect(again.status).toBe('S');
    expect(medium.connectionCount).toBe(2);
    expect(events.some((e) => e.type === 'error' && !e.fatal && e.message === "ConnectionReset calling 'hello', retrying")).toBe(true);
    medium.close();
  } finally {
    serve.kill();
  }
});

test('a refused call never reaches the wire', async () => {
  const hooks = new ClientHooks();
  hooks.onCall(vfsRefuser);
  const { medium, client } = tcp(hooks);
  const err = await client.call('readv', '/x').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HpssError);
  expect((err as HpssError).code).toBe('vfs-not-allowed');
  expect(medium.isConnected).toBe(false);
  medium.close();
});
