/**
 * The command a bzr+ssh client runs on the server: `REMOTE serve --inet --directory=/
 * --allow-writes`, where REMOTE is `BZR_REMOTE_PATH` from the environment, else `bzr`
 * (Breezy's `get_bzr_remote_path`; its `bzr_remote_path` config option is not read here).
 */
export interface RemotePath {
  path: string;
  source: 'option' | 'BZR_REMOTE_PATH' | 'default';
}

export function bzrRemotePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): RemotePath {
  if (explicit) return { path: explicit, source: 'option' };
  const fromEnv = env.BZR_REMOTE_PATH;
  if (fromEnv) return { path: fromEnv, source: 'BZR_REMOTE_PATH' };
  return { path: 'bzr', source: 'default' };
}

export function remoteServeCommand(remotePath: string): string {
  return `${remotePath} serve --inet --directory=/ --allow-writes`;
}
