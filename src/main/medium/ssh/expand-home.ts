/**
 * `~` and `~/…` in a key or known_hosts path, as a shell would expand them: the forms
 * fill in paths as users type them (`~/.ssh/id_ed25519`), and no shell stands between
 * the UI and the engine. `~user` is left alone (no lookup of other accounts).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function expandHome(path: string): string;
export function expandHome(path: string | undefined): string | undefined;
export function expandHome(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}
