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

/** Each record Breezy's reader finds: kind, revision id, file id, metadata, body (hex). */
export const READ_BUNDLE = `
import json, sys
from io import BytesIO
from breezy.bzr.bundle.serializer import read_bundle
def plain(v):
    if isinstance(v, bytes): return v.decode('utf-8')
    if isinstance(v, (list, tuple)): return [plain(x) for x in v]
    if isinstance(v, dict): return {k.decode(): plain(x) for k, x in v.items()}
    return v
bundle = read_bundle(BytesIO(bytes.fromhex(json.load(sys.stdin))))
out = []
for body, metadata, kind, revid, fileid in bundle.get_bundle_reader().iter_records():
    out.append([kind, plain(revid), plain(fileid), plain(metadata), None if body is None else body.hex()])
print(json.dumps(out))
`;
