/**
 * HpssApi for the browser shell: commands as POST /api/COMMAND with the launch token
 * in a header, event batches over one WebSocket that reconnects (bounded backoff)
 * when the connection drops.
 */
import type { ApiError, HpssApi, Result } from '../../../shared/api';
import type { EngineEvent } from '../../../shared/events';

export const TOKEN_HEADER = 'X-HPSS-Token';
const MAX_BACKOFF_MS = 5_000;

export type ConnectionListener = (state: 'live' | 'lost') => void;

function networkError(command: string, err: unknown): ApiError {
  return {
    code: 'unreachable',
    message: `${command}: the engine did not answer (${err instanceof Error ? err.message : String(err)}) — is \`hpss ui\` still running?`,
  };
}

export function createBrowserClient(token: string, onConnection: ConnectionListener = () => {}): HpssApi {
  const listeners = new Set<(batch: EngineEvent[]) => void>();
  let socket: WebSocket | null = null;
  let backoff = 250;

  function connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${scheme}//${location.host}/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => {
      backoff = 250;
      onConnection('live');
    };
    socket.onmessage = (msg) => {
      let batch: unknown;
      try {
        batch = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      if (!Array.isArray(batch)) return;
      for (const l of listeners) l(batch as EngineEvent[]);
    };
    socket.onclose = () => {
      socket = null;
      onConnection('lost');
      if (listeners.size === 0) return;
      setTimeout(() => {
        if (listeners.size > 0 && socket === null) connect();
      }, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
  }

  return {
    async invoke(command, args) {
      try {
        const res = await fetch(`/api/${encodeURIComponent(command)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
          body: JSON.stringify(args),
        });
        if (res.status === 403) return { ok: false, error: { code: 'forbidden', message: 'the engine refused this page: reopen the URL `hpss ui` printed (with its token)' } };
        return (await res.json()) as Result<never>;
      } catch (err) {
        return { ok: false, error: networkError(command, err) };
      }
    },
    onEvents(listener) {
      listeners.add(listener);
      if (socket === null) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && socket) {
          // Detach first: a new subscriber must get a fresh socket, not this closing one.
          const closing = socket;
          socket = null;
          closing.onclose = null;
          closing.onmessage = null;
          closing.close();
        }
      };
    },
  };
}
