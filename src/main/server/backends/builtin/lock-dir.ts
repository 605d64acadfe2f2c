/**
 * Breezy's LockDir (breezy/lockdir.py) on the local disk, step for step, so that Breezy
 * itself (over the VFS, or on the disk) can read, validate, break and release what we lock:
 * - take: `mkdir LOCK/RAND10.tmp` (creating LOCK if missing), write `info` into it, rename it
 *   to `LOCK/held` (a held lock makes the rename fail: contention), read `held/info` back and
 *   check the nonce;
 * - release: rename `held` to `LOCK/releasing.RAND20.tmp`, delete its `info`, rmdir it;
 * - break: the same through `LOCK/broken.RAND20.tmp`.
 * The token of a lock is its holder's nonce.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { formatLockInfo, newLockNonce, parseLockInfo } from '../../../../shared/bzr-formats/lock-info';
import { errnoCode } from './fs-errors';

function randChars(n: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(n)].map((b) => alphabet[b % 36]).join('');
}

function lockUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'hpss';
  }
}

export type TakeResult = { ok: true; token: string } | { ok: false; reason: 'contention' };

export class LockDir {
  constructor(
    /** The lock directory, e.g. `BRANCH/.bzr/branch/lock`. */
    readonly dir: string,
  ) {}

  private get heldInfo(): string {
    return `${this.dir}/held/info`;
  }

  /** The holder's fields, or null when the lock is not held. */
  async peek(): Promise<Record<string, string> | null> {
    try {
      return parseLockInfo(await readFile(this.heldInfo, 'utf8'));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
      throw err;
    }
  }

  async take(): Promise<TakeResult> {
    const pending = `${this.dir}/${randChars(10)}.tmp`;
    try {
      await mkdir(pending);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      await mkdir(this.dir).catch((e: unknown) => {
        if (errnoCode(e) !== 'EEXIST') throw e;
      });
      await mkdir(pending);
    }
    const nonce = newLockNonce(randomBytes(20));
    const info = formatLockInfo({ hostname: hostname(), nonce, pid: process.pid, start_time: Math.floor(Date.now() / 1000), user: lockUser() });
    await writeFile(`${pending}/info`, info);
    try {
      await rename(pending, `${this.dir}/held`);
    } catch (err) {
      await unlink(`${pending}/info`).catch(() => undefined);
      await rmdir(pending).catch(() => undefined);
      const code = errnoCode(err);
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR') return { ok: false, reason: 'contention' };
      throw err;
    }
    const held = await this.peek();
    if (held?.nonce !== nonce) return { ok: false, reason: 'contention' };
    return { ok: true, token: nonce };
  }

  /** Whether `token` is the current holder's nonce. */
  async holds(token: string): Promise<boolean> {
    const held = await this.peek();
    return held !== null && held.nonce === token;
  }

  /** Removes the held lock (release or break); false when it was not held. */
  async remove(how: 'releasing' | 'broken'): Promise<boolean> {
    const moved = `${this.dir}/${how}.${randChars(20)}.tmp`;
    try {
      await rename(`${this.dir}/held`, moved);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    await unlink(`${moved}/info`).catch(() => undefined);
    await rmdir(moved);
    return true;
  }
}
