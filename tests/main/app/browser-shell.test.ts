import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contentSecurityPolicy, parseLoopbackListen, startBrowserShell, type BrowserShell } from '../../../src/main/app/browser-shell';
import { Engine } from '../../../src/main/engine/engine';
import { realBackends } from '../../../src/main/engine/real-backends';

let dir: string;
let engine: Engine;
let shell: BrowserShell;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-shell-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'void 0;');
  engine = new Engine(realBackends);
  shell = await startBrowserShell({ engine, listen: '127.0.0.1:0', rendererDir: dir });
});
afterAll(async () => {
  await shell?.stop();
  await engine?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: shell.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const api = (command: string, body: string, token = shell.token) =>
  http(`/api/${command}`, { method: 'POST', headers: { 'X-HPSS-Token': token, 'Content-Type': 'application/json' }, body });

describe('the token', () => {
  test('is in the printed URL, and everything without it is 403', async () => {
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/?token=${shell.token}`);
    expect(shell.token.length).toBeGreaterThanOrEqual(32);
    expect((await http('/')).status).toBe(403);
    expect((await http('/?token=wrong')).status).toBe(403);
    expect((await http('/assets/app.js')).status).toBe(403);
    expect((await api('ui:owners:list', 'null', 'x'.repeat(shell.token.length))).status).toBe(403);
  });

  test('opens the page once, which then loads its assets by a strict same-site cookie', async () => {
    const page = await http(`/?token=${shell.token}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await http('/assets/app.js', { headers: { Cookie: cookie.split(';')[0] } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  test('a page on another host name (DNS rebinding) is refused even with the token', async () => {
    const r = await http(`/?token=${shell.token}`, { headers: { Host: `evil.example:${shell.port}` } });
    expect(r.status).toBe(403);
  });
});

test('every response carries the strict CSP and no-referrer', async () => {
  for (const r of [await http(`/?token=${shell.token}`), await http('/')]) {
    expect(r.headers['content-security-policy']).toBe(contentSecurityPolicy());
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  }
  expect(contentSecurityPolicy()).toMatch(/script-src 'self'/);
  expect(contentSecurityPolicy()).not.toMatch(/unsafe/);
});

test('files outside the renderer are not served', async () => {
  const r = await http(`/..%2f..%2fetc%2fpasswd?token=${shell.token}`);
  expect(r.status).toBe(404);
});

describe('the API', () => {
  test('answers a command', async () => {
    const r = await api('ui:owners:list', 'null');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, data: [] });
  });

  test('rejects bad arguments, bad JSON and unknown commands with invalid-argument', async () => {
    for (const [command, body] of [
      ['ui:proxy:start', JSON.stringify({ upstream: 'http://x/', listen: '127.0.0.1:0' })],
      ['ui:client:refuse-vfs', JSON.stringify({ enabled: 'yes' })],
      ['ui:owners:list', '{not json'],
      ['ui:rm:rf', 'null'],
    ]) {
      const r = await api(command, body);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
  });
});

/** A bare WebSocket client: handshake, then the first text frame's payload. */
function firstWsMessage(path: string, onOpen: () => void): Promise<{ status: string; text?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(shell.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let opened = false;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!opened) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buf.subarray(0, buf.indexOf('\r\n')).toString();
        buf = buf.subarray(end + 4);
        if (!status.includes('101')) {
          socket.destroy();
          return resolve({ status });
        }
        opened = true;
        onOpen();
      }
      if (buf.length < 2) return;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        len = buf.readUInt16BE(2);
        off = 4;
      }
      if (buf.length < off + len) return;
      expect(buf[0]).toBe(0x81);
      socket.destroy();
      resolve({ status: '101', text: buf.subarray(off, off + len).toString() });
    });
    socket.write(
      [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${shell.port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
    );
  });
}

test('the event WebSocket needs the token and delivers events in batches', async () => {
  expect((await firstWsMessage('/events', () => {})).status).toMatch(/403/);
  const msg = await firstWsMessage(`/events?token=${shell.token}`, () => {
    engine.bus.emit({ type: 'error', kind: 'internal', message: 'one', fatal: false });
    engine.bus.emit({ type: 'error', kind: 'internal', message: 'two', fatal: false });
  });
  const batch = JSON.parse(msg.text ?? '[]') as { message: string }[];
  expect(batch.map((e) => e.message)).toEqual(['one', 'two']);
});

/** Raw bytes over a socket, as a hostile client would send them; the first answer's status line. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(shell.port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0]));
    socket.setTimeout(5_000, () => socket.destroy());
    socket.end(bytes);
  });
}

describe('every request handler is total', () => {
  const host = () => `Host: 127.0.0.1:${shell.port}`;
  test('malformed URLs and bad percent-escapes answer 400, and the shell keeps answering', async () => {
    for (const target of ['http://[', '/api/%', '/api/%E0%A4%A', '/api/ui%3owners', `/%ZZ?token=${shell.token}`, '/%C0%AF', 'http://[::1']) {
      const status = await raw(`GET ${target} HTTP/1.1\r\n${host()}\r\nX-HPSS-Token: ${shell.token}\r\nConnection: close\r\n\r\n`);
      expect(status, target).toMatch(/^HTTP\/1\.1 400/);
    }
    expect(await raw(`POST /api/%ff HTTP/1.1\r\n${host()}\r\nX-HPSS-Token: ${shell.token}\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnull`)).toMatch(/ 400 /);
    expect(await raw('GARBAGE\x00\x01\r\n\r\n')).toMatch(/ 400 /);
    expect(await raw(`GET /events?token=${shell.token} HTTP/1.1\r\n${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`)).toMatch(/ 400 /);
    expect(await raw(`GET http://[ HTTP/1.1\r\n${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`)).toMatch(/ 403 /);
    expect((await api('ui:owners:list', 'null')).status).toBe(200);
  });
});

describe('another origin cannot call the API', () => {
  test('the cookie or the query token alone is not enough: the API wants the header', async () => {
    const page = await http(`/?token=${shell.token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const byCookie = await http('/api/ui:owners:list', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: 'null' });
    expect(byCookie.status).toBe(403);
    expect(byCookie.body).toMatch(/X-HPSS-Token|x-hpss-token/i);
    expect((await http(`/api/ui:owners:list?token=${shell.token}`, { method: 'POST', body: 'null' })).status).toBe(403);
  });

  test('a foreign Origin or a cross-origin Sec-Fetch-Site is refused even with the token', async () => {
    const other = `http://127.0.0.1:${shell.port + 1}`;
    const foreign: Record<string, string>[] = [{ Origin: other }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'same-site' }, { 'Sec-Fetch-Site': 'cross-site' }];
    for (const headers of foreign) {
      const r = await http('/api/ui:owners:list', { method: 'POST', headers: { 'X-HPSS-Token': shell.token, ...headers }, body: 'null' });
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    const own = await http('/api/ui:owners:list', {
      method: 'POST',
      headers: { 'X-HPSS-Token': shell.token, Origin: `http://127.0.0.1:${shell.port}`, 'Sec-Fetch-Site': 'same-origin' },
      body: 'null',
    });
    expect(own.status).toBe(200);
  });

  test('the event WebSocket refuses a foreign Origin even with the token', async () => {
    const status = await raw(
      [`GET /events?token=${shell.token} HTTP/1.1`, `Host: 127.0.0.1:${shell.port}`, `Origin: http://127.0.0.1:${shell.port + 1}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
    );
    expect(status).toMatch(/ 403 /);
  });
});

test('the UI listens on loopback only', () => {
  expect(parseLoopbackListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
  expect(parseLoopbackListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  expect(() => parseLoopbackListen('0.0.0.0:8080')).toThrow(/loopback only/);
});
