/**
 * Name resolution and TCP connection as Breezy's SmartTCPClientMedium does them: resolve the
 * name to every address, try each in turn with TCP_NODELAY, and fail with Breezy's texts
 * (`failed to lookup %s:%d: %s`, `failed to connect to %s:%d: %s`). Split in two steps so a
 * probe can time and report each one.
 */
import { lookup } from 'node:dns/promises';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ConnectPhase } from '../../shared/events';
import { formatHostPort } from '../../shared/host-port';
import { HpssError } from '../../shared/protocol/errors';

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** The steps of making a connection, as a diagnosis names them (and a `connection-setup` event). */
export type ConnectStep = ConnectPhase;

export interface ConnectStepReport {
  step: ConnectStep;
  ok: boolean;
  ms: number;
  /** Bytes on the wire so far in this step, when known. */
  bytes?: number;
  detail: string;
}

export type ConnectStepListener = (report: ConnectStepReport) => void;

/** One listener that tells both (a probe's and the set-up's). */
export function bothListeners(a: ConnectStepListener, b: ConnectStepListener): ConnectStepListener {
  return (report) => {
    a(report);
    b(report);
  };
}

/** Runs one step and reports it (time, outcome) to the listener; rethrows a failure. */
export async function reportStep<T>(
  onStep: ConnectStepListener,
  step: ConnectStep,
  run: () => Promise<T>,
  detail: (value: T) => string,
  bytes?: () => number,
): Promise<T> {
  const started = performance.now();
  try {
    const value = await run();
    onStep({ step, ok: true, ms: performance.now() - started, bytes: bytes?.(), detail: detail(value) });
    return value;
  } catch (err) {
    onStep({ step, ok: false, ms: performance.now() - started, bytes: bytes?.(), detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

/** Resolves and connects, reporting both steps. */
export async function resolveAndConnect(host: string, port: number, onStep: ConnectStepListener, timeoutMs?: number): Promise<Socket> {
  const addresses = await reportStep(onStep, 'resolve', () => resolveHost(host, port), (a) => a.map((x) => x.address).join(', '));
  return reportStep(onStep, 'tcp-connect', () => connectFirst(host, port, addresses, timeoutMs), (s) => `connected to ${formatHostPort(s.remoteAddress ?? host, port)}`);
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

// The C library's texts, which Python (and so Breezy) shows, for the codes Node reports.
const STRERROR: Record<string, string> = {
  ENOTFOUND: 'Name or service not known',
  EAI_NONAME: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  ENODATA: 'No address associated with hostname',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

/** The C library's text for a Node system error, else its message. */
export function systemErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && STRERROR[code]) return STRERROR[code];
  return err instanceof Error ? err.message : String(err);
}

/** Every address `host` resolves to, in the resolver's order. */
export async function resolveHost(host: string, port: number): Promise<ResolvedAddress[]> {
  try {
    const found = await lookup(host, { all: true, verbatim: true });
    if (found.length === 0) throw Object.assign(new Error('no address'), { code: 'ENODATA' });
    return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } catch (err) {
    throw new HpssError('transport', 'lookup-failed', `failed to lookup ${host}:${port}: ${systemErrorText(err)}`);
  }
}

function connectOne(addr: ResolvedAddress, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.connect({ host: addr.address, port, family: addr.family });
  });
}

/** Connects to the first address that accepts; the error names the last failure, as Breezy's does. */
export async function connectFirst(
  host: string,
  port: number,
  addresses: ResolvedAddress[],
  timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<Socket> {
  let lastErr: unknown = new Error(`no address found for ${host}`);
  for (const addr of addresses) {
    try {
      return await connectOne(addr, port, timeoutMs);
    } catch (err) {
      lastErr = err;
    }
  }
  throw new HpssError('transport', 'connect-failed', `failed to connect to ${host}:${port}: ${systemErrorText(lastErr)}`);
}
