/**
 * The renderer's one handle on the engine: `window.hpss` from the Electron preload,
 * else the browser shell's client (token from the page URL). Calls go through
 * `call()`, which turns a failure into a notice that says what failed and what to try.
 */
import type { ApiError, CommandArgs, CommandName, CommandResult, HpssApi, Result } from '../../../shared/api';
import { dispatch } from '../store/store';
import { createBrowserClient } from './browser-client';

declare global {
  interface Window {
    hpss?: HpssApi;
  }
}

function pageToken(): string {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('hpss.token', fromUrl);
    // Keep the token out of the address bar (and out of screenshots and history).
    history.replaceState(null, '', location.pathname);
    return fromUrl;
  }
  return sessionStorage.getItem('hpss.token') ?? '';
}

export const api: HpssApi = window.hpss ?? createBrowserClient(pageToken(), (state) => dispatch({ type: 'connection', state }));

const HINTS: Record<string, string> = {
  'invalid-argument': 'Check the fields of the form and try again.',
  'listen-failed': 'Another program may use that port: pick another one, or port 0 for a free one.',
  'bad-directory': 'Pick a directory that exists and that the user running the inspector can read.',
  'not-found': 'It may have stopped already; the list has been refreshed.',
  unavailable: 'This part of the engine is not in this build; the `hpss` CLI may offer it.',
  unreachable: 'Restart `hpss ui` (or the app) and reload this page.',
  forbidden: 'Open the exact URL `hpss ui` printed; the token changes with each launch.',
  transport: 'Is the server running and the host and port right? Try the probe on this URL.',
  ssh: 'Check the key files named above (path, permissions, format) and the user name; for a connection, the probe shows which step fails.',
  timeout: 'The peer did not answer in time: check it is running and reachable.',
  protocol: 'The peer did not speak HPSS as expected: run the probe on this URL.',
  remote: 'The server answered with an error; see the message for which.',
  'vfs-refused': "The app's own client refuses VFS calls: switch \"App client refuses VFS\" off in the top bar to send it.",
};

export function hintFor(error: ApiError): string | undefined {
  return HINTS[error.code];
}

/** Runs a command; on failure posts a notice titled `what`. */
export async function run<C extends CommandName>(what: string, command: C, args: CommandArgs<C>): Promise<Result<CommandResult<C>>> {
  const result = await api.invoke(command, args);
  if (!result.ok) dispatch({ type: 'notice', notice: { level: 'error', title: `${what} failed`, message: result.error.message, hint: hintFor(result.error) } });
  return result;
}

/** As `run`, for commands whose answer is data: the data, or null when it failed. */
export async function call<C extends CommandName>(what: string, command: C, args: CommandArgs<C>): Promise<CommandResult<C> | null> {
  const result = await run(what, command, args);
  return result.ok ? result.data : null;
}
