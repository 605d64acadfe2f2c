/**
 * Breezy's own Python as a test oracle: a script run by the system interpreter (the one
 * with breezy installed, not a pyenv `python3` on PATH), fed JSON on stdin, answering JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const BREEZY_PYTHON = '/usr/bin/python3';

export function runBreezyPython<T>(script: string, input: unknown, env?: NodeJS.ProcessEnv): T {
  if (!existsSync(BREEZY_PYTHON)) throw new Error(`${BREEZY_PYTHON} (with breezy) is needed as the oracle`);
  const out = execFileSync(BREEZY_PYTHON, ['-c', script], { input: JSON.stringify(input), env, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out.toString('utf8')) as T;
}
