/**
 * A server's directory, checked before anything listens, so the UI refuses it with the
 * reason instead of starting a server whose every connection fails (brz serve would exit
 * on each one with a traceback the user never sees).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { userInfo } from 'node:os';

export class ServerDirError extends Error {
  override readonly name = 'ServerDirError';
}

function who(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

export function checkServerDir(dir: string): void {
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new ServerDirError(`the directory ${dir} does not exist`);
  if (!stat.isDirectory()) throw new ServerDirError(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
  } catch {
    throw new ServerDirError(`the directory ${dir} cannot be read by ${who()}, the user the inspector runs as`);
  }
}
