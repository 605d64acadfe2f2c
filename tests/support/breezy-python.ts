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

export type BundleRecord = [kind: string, revid: string | null, fileid: string | null, metadata: Record<string, unknown>, body: string | null];

/**
 * A bundle's records as Breezy's read_bundle finds them, sorted by kind, revision and file
 * (Breezy's order within a topological level follows Python's set iteration).
 */
export function bundleRecords(body: Uint8Array | string): BundleRecord[] {
  const records = runBreezyPython<BundleRecord[]>(READ_BUNDLE, typeof body === 'string' ? body : Buffer.from(body).toString('hex'));
  const name = (r: BundleRecord) => `${r[0]}/${r[1] ?? ''}/${r[2] ?? ''}`;
  return records.sort((x, y) => (name(x) < name(y) ? -1 : name(x) > name(y) ? 1 : 0));
}

/**
 * Breezy's own client sending `get_bundle` (path, revision id) to a `brz serve` on a port:
 * the success body (hex) or the error tuple, per request.
 */
export const CALL_GET_BUNDLE = `
import json, sys
from breezy.bzr.smart import client, medium
from breezy.bzr.smart.client import _SmartClient
from breezy import errors
req = json.load(sys.stdin)
c = _SmartClient(medium.SmartTCPClientMedium('127.0.0.1', req['port'], 'bzr://127.0.0.1/'))
out = []
for path, revid in req['calls']:
    try:
        resp, body = c.call_expecting_body(b'get_bundle', path.encode(), revid.encode())
        out.append({'args': [a.decode() for a in resp], 'body': body.read_body_bytes().hex()})
    except errors.ErrorFromSmartServer as e:
        out.append({'error': [a.decode() if isinstance(a, bytes) else a for a in e.error_tuple]})
print(json.dumps(out))
`;

/** Each revision's inventory as Breezy serialises it (write_inventory_to_chunks), hex chunks. */
export const INVENTORY_CHUNKS = `
import json, sys
import breezy.bzr  # registers the bzr formats
from breezy.repository import Repository
req = json.load(sys.stdin)
repo = Repository.open(req['bzrdir'])
out = {}
with repo.lock_read():
    for inv in repo.iter_inventories([r.encode() for r in req['revisions']]):
        out[inv.revision_id.decode()] = [c.hex() for c in repo._serializer.write_inventory_to_chunks(inv)]
print(json.dumps(out))
`;

/**
 * Breezy installs a bundle into a new 2a repository (RevisionInstaller: each mpdiff applied
 * to its parents and checked against its sha1), then checks the repository: the revisions
 * installed and whether `check` found them sound.
 */
export const INSTALL_BUNDLE = `
import json, sys
from io import BytesIO
import breezy.bzr  # registers the bzr formats
from breezy.controldir import ControlDir, format_registry
from breezy.bzr.bundle.serializer import read_bundle
req = json.load(sys.stdin)
repo = ControlDir.create(req['directory'], format=format_registry.make_controldir('2a')).create_repository()
read_bundle(BytesIO(bytes.fromhex(req['bundle']))).install_revisions(repo)
with repo.lock_read():
    revisions = sorted(r.decode() for r in repo.all_revision_ids())
    result = repo.check(None, check_repo=True)
    texts = sum(1 for _ in repo.texts.keys())
    tip = repo.get_revision(req['tip'].encode())
    tree = repo.revision_tree(tip.revision_id)
    with tree.lock_read():
        files = {p: tree.get_file_text(p).hex() for p, _, kind, _ in tree.list_files(include_root=False, recursive=True) if kind == 'file'}
print(json.dumps({'revisions': revisions, 'inconsistent_parents': len(result.inconsistent_parents), 'texts': texts, 'files': files}))
`;
