/**
 * The browser shell: the same renderer and the same API as the Electron shell, over
 * HTTP (POST /api/COMMAND) and a WebSocket (/events, event batches) on loopback.
 *
 * Security: loopback only; a random per-launch token guards everything. The page URL
 * carries it once (`/?token=…`); the page then sends it as a header (API), as a
 * query parameter (WebSocket) and, for its own static assets, as a SameSite=Strict
 * cookie set on that first load. The API takes the token from the header only: a page
 * on another 127.0.0.1 port is same-site, so the cookie would ride along with its
 * requests. On top of that, a request whose Origin is not ours or whose
 * Sec-Fetch-Site is not same-origin is refused (API and WebSocket). The Host header
 * must name the listener, which shuts out DNS-rebinding pages. Every handler is total:
 * a URL or escape that does not parse answers 400. Responses carry a strict CSP and
 * no-referrer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Result } from '../../shared/api';
import { invalidArgument } from '../../shared/api-validate';
import { bracketHost } from '../../shared/host-port';
import type { Engine } from '../engine/engine';
import { EventBatcher } from '../engine/event-batcher';
import { acceptWebSocket, type WebSocketConnection } from './websocket';

export const TOKEN_HEADER = 'x-hpss-token';
const COOKIE = 'hpss_token';
const MAX_REQUEST_BYTES = 24 * 1024 * 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface BrowserShellOptions {
  engine: Engine;
  /** HOST:PORT on loopback; port 0 picks a free one. */
  listen: string;
  rendererDir: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface BrowserShell {
  url: string;
  port: number;
  token: string;
  stop(): Promise<void>;
}

export function parseLoopbackListen(listen: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`--listen '${listen}' is not HOST:PORT`);
  const host = m[1].replace(/^\[|\]$/g, '');
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`--listen '${listen}': the UI listens on loopback only (127.0.0.1 or ::1)`);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(m[2]) };
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
  }
  return undefined;
}

/** The path of a request target, decoded once; null when it does not parse (§ total handlers). */
export function parseTarget(target: string | undefined): { pathname: string; query: URLSearchParams } | null {
  try {
    const url = new URL(target ?? '/', 'http://loopback');
    return { pathname: decodeURIComponent(url.pathname), query: url.searchParams };
  } catch {
    return null;
  }
}

/**
 * Whether the browser says this request comes from a page of our own origin. Browsers
 * send Origin on every POST and WebSocket handshake and Sec-Fetch-Site on every fetch;
 * a client that sends neither (curl, tests) is no browser page and is let through to
 * the token check.
 */
export function sameOriginRequest(headers: IncomingMessage['headers'], ownOrigins: ReadonlySet<string>): boolean {
  const origin = headers.origin;
  if (origin !== undefined && !ownOrigins.has(origin)) return false;
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

function baseHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  };
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...baseHeaders(), 'Content-Type': type, ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startBrowserShell(opts: BrowserShellOptions): Promise<BrowserShell> {
  const { host, port } = parseLoopbackListen(opts.listen);
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const clients = new Set<WebSocketConnection>();
  const batcher = new EventBatcher((batch) => {
    const text = JSON.stringify(batch);
    for (const c of clients) c.sendText(text);
  });
  const unsubscribe = opts.engine.onEvent((e) => {
    if (clients.size > 0) batcher.push(e);
  });
  let hostHeaders = new Set<string>();
  let ownOrigins = new Set<string>();

  async function handleApi(req: IncomingMessage, res: ServerResponse, command: string): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: invalidArgument('use POST') });
    const text = await readBody(req);
    if (text === null) return sendJson(res, 413, { ok: false, error: invalidArgument('request too large') });
    let args: unknown;
    try {
      args = text === '' ? null : JSON.parse(text);
    } catch {
      return sendJson(res, 400, { ok: false, error: invalidArgument('the request body is not JSON') });
    }
    const result: Result<unknown> = await opts.engine.invoke(command, args);
    sendJson(res, !result.ok && result.error.code === 'invalid-argument' ? 400 : 200, result);
  }

  async function handleStatic(res: ServerResponse, pathname: string, setCookie: boolean): Promise<void> {
    const rel = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^([/\\])+/, '');
    const file = join(opts.rendererDir, rel);
    if (!file.startsWith(opts.rendererDir + sep)) return send(res, 404, 'not found', 'text/plain');
    try {
      const body = await readFile(file);
      const extra: Record<string, string> = setCookie ? { 'Set-Cookie': `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict` } : {};
      send(res, 200, body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', extra);
    } catch {
      send(res, 404, 'not found', 'text/plain');
    }
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    if (!hostHeaders.has(req.headers.host ?? '')) return send(res, 403, 'forbidden: wrong Host', 'text/plain');
    const target = parseTarget(req.url);
    if (!target) return send(res, 400, 'bad request: the URL does not parse', 'text/plain');
    const queryToken = target.query.get('token');
    if (target.pathname.startsWith('/api/')) {
      if (!sameOriginRequest(req.headers, ownOrigins)) return send(res, 403, 'forbidden: the API answers only pages of its own origin', 'text/plain');
      if (!sameToken(req.headers[TOKEN_HEADER] as string | undefined, token)) return send(res, 403, `forbidden: the API needs the token in the ${TOKEN_HEADER} header`, 'text/plain');
      return handleApi(req, res, target.pathname.slice(5));
    }
    if (!sameToken(queryToken, token) && !sameToken(cookieToken(req), token)) {
      return send(res, 403, 'forbidden: open the URL with its token, as printed by `hpss ui`', 'text/plain');
    }
    return handleStatic(res, target.pathname, sameToken(queryToken, token));
  }

  const server = createServer((req, res) => {
    const fail = (err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(err) } });
      else res.destroy();
    };
    try {
      void Promise.resolve(handleRequest(req, res)).catch(fail);
    } catch (err) {
      fail(err);
    }
  });
  // A request line Node cannot parse never reaches the handler: answer 400, not a reset.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (req, socket) => {
    socket.on('error', () => socket.destroy());
    const target = parseTarget(req.url);
    if (!target || target.pathname !== '/events' || !hostHeaders.has(req.headers.host ?? '') || !sameOriginRequest(req.headers, ownOrigins) || !sameToken(target.query.get('token'), token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const conn = acceptWebSocket(req, socket);
    if (!conn) return;
    clients.add(conn);
    conn.onClose = () => clients.delete(conn);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const hostPart = bracketHost(host);
  hostHeaders = new Set([`${hostPart}:${actual}`, ...(host === '127.0.0.1' ? [`localhost:${actual}`] : [])]);
  ownOrigins = new Set([...hostHeaders].map((h) => `http://${h}`));

  return {
    url: `http://${hostPart}:${actual}/?token=${token}`,
    port: actual,
    token,
    stop: async () => {
      unsubscribe();
      batcher.close();
      for (const c of clients) c.close(1001, 'shutting down');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
