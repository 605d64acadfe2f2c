/** Our verb table and encoders against Breezy 3.3.2 itself (run with the system python3). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALL_VERBS, encodeRequest, encodeResponse, isVfsVerb, verbInfo, verbKind, VFS_VERBS, type RequestToEncode, type ResponseToEncode,
} from '../../../src/shared/protocol';
import { text as b } from './support/naive';

interface Oracle {
  registry: { verb: string; kind: string; takes_body: boolean }[];
  encodings: Record<string, string>;
}

const oracle = JSON.parse(
  execFileSync('/usr/bin/python3', [join(__dirname, 'support/breezy-oracle.py')], { encoding: 'utf8', timeout: 20_000 }),
) as Oracle;

describe('verb table', () => {
  it('has every verb of Breezy 3.3.2 with its kind and request body', () => {
    expect([...ALL_VERBS].sort()).toEqual(oracle.registry.map((r) => r.verb).sort());
    for (const r of oracle.registry) {
      const info = verbInfo(r.verb);
      expect(info?.kind, r.verb).toBe(r.kind);
      expect(info?.v2RequestBody, r.verb).toBe(r.takes_body);
    }
  });

  it('marks the VFS verbs', () => {
    expect([...VFS_VERBS].sort()).toEqual(
      'append delete get get_bundle has iter_files_recursive list_dir mkdir move put put_non_atomic readv rename rmdir stat'.split(' '),
    );
    expect(isVfsVerb('get')).toBe(true);
    expect(isVfsVerb('BzrDir.open')).toBe(false);
    expect(verbKind('delete')).toBe('vfs');
    expect(verbKind('Repository.insert_stream')).toBe('stream');
    expect(verbKind('No.Such.Verb')).toBe('unknown');
  });

  it('knows which v1/v2 responses carry a body', () => {
    expect(verbInfo('get')?.v2ResponseBody).toBe('bulk');
    expect(verbInfo('readv')?.v2ResponseBody).toBe('bulk');
    expect(verbInfo('Repository.get_parent_map')?.v2ResponseBody).toBe('bulk');
    expect(verbInfo('Repository.get_stream_1.19')?.v2ResponseBody).toBe('chunked');
    expect(verbInfo('VersionedFileRepository.get_inventories')?.v2ResponseBody).toBe('chunked');
    expect(verbInfo('Repository.pack')?.v2ResponseBody).toBe('none');
    expect(verbInfo('hello')?.v2ResponseBody).toBe('none');
  });
});

const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const stream = [b('first'), new Uint8Array(0), b('second part')];

describe('encoders produce the bytes Breezy produces', () => {
  const requests: [string, RequestToEncode][] = [
    ['v3 request', { protocol: 3, args: [b('BzrDir.open_2.1'), b('trunk/')] }],
    ['v3 request body', { protocol: 3, args: [b('put'), b('/f'), b('')], body: b('some\nbytes') }],
    ['v3 request stream', { protocol: 3, args: [b('Repository.insert_stream_1.19'), b('r/'), b('')], bodyStream: stream }],
    ['v2 request body', { protocol: 2, args: [b('put'), b('/f'), b('')], body: b('some\nbytes') }],
    ['v1 request', { protocol: 1, args: [b('get'), b('/f')] }],
  ];
  it.each(requests)('%s', (name, req) => {
    expect(hex(encodeRequest(req))).toBe(oracle.encodings[name]);
  });

  const failure = [b('NoSuchRevision'), b('r1')];
  const responses: [string, ResponseToEncode][] = [
    ['v3 response body', { protocol: 3, status: 'S', args: [b('ok')], body: b('body') }],
    ['v3 response stream error', { protocol: 3, status: 'S', args: [b('ok')], bodyStream: [b('first')], postBodyError: failure }],
    ['v3 response error', { protocol: 3, status: 'E', args: [b('NoSuchFile'), b('/x')] }],
    ['v2 response body', { protocol: 2, status: 'S', args: [b('ok')], body: b('body') }],
    ['v2 response stream', { protocol: 2, status: 'S', args: [b('ok')], bodyStream: stream }],
    ['v2 response stream error', { protocol: 2, status: 'S', args: [b('ok')], bodyStream: [b('first')], postBodyError: failure }],
    ['v2 response failed', { protocol: 2, status: 'E', args: [b('NoSuchFile'), b('/x')] }],
    ['v1 response body', { protocol: 1, status: 'S', args: [b('ok')], body: b('body') }],
  ];
  it.each(responses)('%s', (name, res) => {
    expect(hex(encodeResponse(res))).toBe(oracle.encodings[name]);
  });
});
