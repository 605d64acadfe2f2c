/**
 * Our encoders and decoders against a real Breezy server (`brz serve --inet` over pipes):
 * requests of all three versions on one connection, each answered and decoded as the
 * paired request says, including bulk and chunked bodies and errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionDecoder, encodeRequest, MessageCollector, toJsonValue, type CollectedMessage, type ProtocolVersion,
} from '../../../src/shared/protocol';
import { text } from './support/naive';

let dir: string;
const content = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 255);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-brz-serve-'));
  writeFileSync(join(dir, 'data.bin'), content);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Send the requests over one `brz serve --inet` connection; resolve with the decoded exchange. */
function exchange(requests: Uint8Array[]): Promise<{ requests: CollectedMessage[]; responses: CollectedMessage[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('brz', ['serve', '--inet', `--directory=${dir}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = { requests: [] as CollectedMessage[], responses: [] as CollectedMessage[] };
    const requestCollector = new MessageCollector((m) => out.requests.push(m));
    // One request at a time, as a Breezy client sends them: the next goes once the answer is in.
    // (Pipelined requests can stall `brz serve --inet`: it waits in select() while they sit
    // in its stdin buffer.)
    const send = (i: number): void => {
      if (i === requests.length) child.stdin.end();
      else child.stdin.write(requests[i]);
    };
    const responseCollector = new MessageCollector((m) => {
      out.responses.push(m);
      send(out.responses.length);
    });
    const decoder = new ConnectionDecoder((d, e) => (d === 'c2s' ? requestCollector : responseCollector).onEvent(e));
    let stderr = '';
    const timer = setTimeout(() => child.kill(), 20_000);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      try {
        decoder.feedResponseBytes(c);
      } catch (err) {
        child.kill();
        reject(err);
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        decoder.finish();
        if (out.responses.length !== requests.length) throw new Error(`${out.responses.length} responses; stderr: ${stderr}`);
        resolve(out);
      } catch (err) {
        reject(err);
      }
    });
    for (const r of requests) decoder.feedRequestBytes(r);
    send(0);
  });
}

const b = text;

function request(protocol: ProtocolVersion, ...args: string[]): Uint8Array {
  return encodeRequest({ protocol, args: args.map(b) });
}

describe('against brz serve --inet', () => {
  it('answers v3, v2 and v1 requests on one connection', async () => {
    const { responses } = await exchange([
      request(3, 'hello'),
      request(2, 'hello'),
      request(1, 'hello'),
      request(3, 'get', '/data.bin'),
      request(2, 'get', '/data.bin'),
      request(1, 'get', '/data.bin'),
      encodeRequest({ protocol: 2, args: [b('readv'), b('/data.bin')], body: b('0,10\n4990,10') }),
      request(3, 'get', '/missing'),
      request(2, 'get', '/missing'),
      request(3, 'No.Such.Verb'),
      request(2, 'stat', '/data.bin'),
    ]);
    const summary = responses.map((m) => ({
      protocol: m.summary.protocol,
      status: m.summary.status,
      args: m.summary.args.map(toJsonValue),
      body: m.body?.length ?? null,
    }));
    expect(summary).toEqual([
      { protocol: 3, status: 'S', args: ['ok', '2'], body: null },
      { protocol: 2, status: 'S', args: ['ok', '2'], body: null },
      { protocol: 1, status: null, args: ['ok', '2'], body: null },
      { protocol: 3, status: 'S', args: ['ok'], body: 5000 },
      { protocol: 2, status: 'S', args: ['ok'], body: 5000 },
      { protocol: 1, status: null, args: ['ok'], body: 5000 },
      { protocol: 2, status: 'S', args: ['readv'], body: 20 },
      { protocol: 3, status: 'E', args: ['NoSuchFile', join(dir, 'missing')], body: null },
      { protocol: 2, status: 'E', args: ['NoSuchFile', join(dir, 'missing')], body: null },
      { protocol: 3, status: 'E', args: ['UnknownMethod', 'No.Such.Verb'], body: null },
      { protocol: 2, status: 'S', args: ['stat', '5000', '0o100644'], body: null },
    ]);
    expect(responses[3].body).toEqual(content);
    expect(responses[6].body).toEqual(new Uint8Array([...content.subarray(0, 10), ...content.subarray(4990)]));
  });
});
