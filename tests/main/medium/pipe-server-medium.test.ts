import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import { PipeServerMedium } from '../../../src/main/medium/pipe-server-medium';
import { HelloBackend } from '../../../src/main/server/backends/hello';
import { PolicyStore } from '../../../src/main/server/policies/settings';
import { serveConnection } from '../../../src/main/server/serve-connection';

function pipeServer(clientTimeoutSec = 300) {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const input = new PassThrough();
  const output = new PassThrough();
  const policy = new PolicyStore({ clientTimeoutSec });
  const backend = new HelloBackend();
  const ids = new IdSource();
  const medium = new PipeServerMedium({ input, output, peer: 'stdin/stdout', bus, ids });
  serveConnection(medium, { backend, policy, bus, ids });
  const out: Buffer[] = [];
  output.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise<void>((resolve) => output.on('end', () => resolve()));
  return { input, events, medium, text: () => Buffer.concat(out).toString('latin1'), ended };
}

test('requests split at every byte, in all three versions, are answered in order over a pipe pair', async () => {
  const { input, text, ended, events } = pipeServer();
  const requests = Buffer.from('hello\nbzr request 2\nhello\nbzr message 3 (bzr 1.6)\n\x00\x00\x00\x02des\x00\x00\x00\x09l5:helloee');
  for (const byte of requests) input.write(Buffer.from([byte]));
  input.end();
  await ended;
  expect(text().startsWith('ok\x012\nbzr response 2\nsuccess\nok\x012\nbzr message 3 (bzr 1.6)\n')).toBe(true);
  expect(text().endsWith('oSs\x00\x00\x00\x09l2:ok1:2ee')).toBe(true);
  expect(events.filter((e) => e.type === 'call-finished').map((e) => (e.type === 'call-finished' ? e.status : null))).toEqual(['S', 'S', 'S']);
  expect(events.at(-1)).toMatchObject({ type: 'medium-closed', reason: 'client closed the connection', calls: 3, vfsCalls: 0 });
});

test('an idle pipe session is closed after the timeout with Breezy\'s message', async () => {
  const { events, ended } = pipeServer(0.2);
  await ended;
  expect(events.find((e) => e.type === 'timeout')).toMatchObject({ message: 'disconnecting client after 0.2 seconds' });
});
