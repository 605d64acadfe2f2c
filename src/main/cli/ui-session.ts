/**
 * `hpss ui` between launches: the token and the port of the last launch, kept (mode 0600)
 * in the state folder, so a restarted `hpss ui` answers the tab the user already has open
 * (a reload, the WebSocket's reconnect) instead of "forbidden" or nothing at all. The token
 * guards against other local users and other sites, not against the user's own files, so
 * keeping it beside the SSH host key changes nothing for that. `--new-token` starts afresh.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hpssStateDir } from '../trace/state-dir';

export interface UiSession {
  token: string;
  /** The port of the last launch, tried first when `--listen` asks for any port. */
  port: number;
}

const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export function uiSessionFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(hpssStateDir(env), 'ui-session.json');
}

/** The last launch's session, or a new token (and no port) when there is none or it is not ours. */
export function loadUiSession(file: string, fresh: boolean): UiSession {
  if (!fresh) {
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<UiSession>;
      if (typeof v.token === 'string' && TOKEN.test(v.token) && Number.isInteger(v.port) && (v.port as number) > 0 && (v.port as number) < 65536) {
        return { token: v.token, port: v.port as number };
      }
    } catch {
      // None yet, or unreadable: a new session.
    }
  }
  return { token: randomBytes(24).toString('base64url'), port: 0 };
}

export function saveUiSession(file: string, session: UiSession): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(session) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
