/**
 * Traces are safe to open (issue 11): "Save trace" says what it wrote and what it covers
 * (and after "Clear", since when); an opened trace's ids are its own, so its calls cannot
 * be resent to a live owner without naming the target; the captures' `.jsonl` open as
 * decoded calls; a 20 MB trace opens with labelled progress in a few seconds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import { serializeTrace } from '../../src/renderer/src/lib/trace-file';
import { CAPTURES_DIR } from '../support/test-hosts';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();
const scratch = mkdtempSync(join(tmpdir(), 'hpss-e2e-trace-'));
let saved = '';

function brz(args: string[]): Promise<number> {
  return new Promise((resolve) => execFile('brz', args, { env: e2e.hosts.brzEnv(), timeout: 30_000 }, (err) => resolve(err ? 1 : 0)));
}

async function saveTrace(): Promise<{ file: string; notice: string }> {
  const { page } = e2e.ui;
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-trace').click()]);
  const notice = page.getByTestId('notice').filter({ hasText: 'Trace saved' }).last();
  await notice.waitFor();
  return { file: await download.path(), notice: (await notice.textContent()) ?? '' };
}

test('"Save trace" says how many events it wrote and what they cover; after "Clear", since when', async () => {
  const { page } = e2e.ui;
  await page.getByLabel('Upstream URL').fill(e2e.hosts.env.BZR_URL);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  const url = (await page.getByTestId('owner-url').first().textContent()) ?? '';
  expect(await brz(['log', '--line', `${url}trunk`])).toBe(0);
  await page.locator('[data-testid="call-row"][data-verb="Repository.iter_revisions"]').first().waitFor();

  const { file, notice } = await saveTrace();
  saved = join(scratch, 'saved.jsonl');
  writeFileSync(saved, readFileSync(file));
  const lines = readFileSync(saved, 'utf8').trim().split('\n').length - 1;
  const calls = Number((await page.getByTestId('call-count').textContent())?.replace(/\D/g, ''));
  expect(notice).toMatch(new RegExp(`${lines} events: ${calls} calls on 2 connections from \\d\\d:\\d\\d:\\d\\d\\.\\d{3} to \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\.`));
  await e2e.ui.screenshot('trace-saved-notice');

  await page.getByRole('button', { name: 'Clear' }).click();
  const empty = await saveTrace();
  expect(empty.notice).toMatch(/The trace is empty: nothing arrived since "Clear" at \d\d:\d\d:\d\d/);
});

test('an opened trace has ids of its own; its calls resend only to a target the user names', async () => {
  const { page } = e2e.ui;
  await page.getByTestId('trace-input').setInputFiles(saved);
  await page.getByText('Live activity is paused').waitFor();
  const row = page.locator('[data-testid="call-row"][data-verb="BzrDir.open_2.1"]').first();
  await row.waitFor();
  // "r1.m1", never the live engine's "m1".
  expect(await row.locator('.c-medium').textContent()).toMatch(/^r1\.m\d+$/);
  await row.click();
  const detail = page.getByTestId('call-detail');
  expect(await detail.textContent()).toMatch(/r1\.c\d+ on r1\.m\d+ \(tcp-server, 127\.0\.0\.1:\d+, r1\.p1\)/);
  expect(await detail.getByTestId('resend-target').inputValue()).toBe('');
  expect(await detail.getByTestId('resend').isDisabled()).toBe(true);
  expect(await detail.getByTestId('call-command').textContent()).toMatch(/^hpss call URL BzrDir\.open_2\.1 trunk\/$/);
  expect(await detail.textContent()).toContain('This call is from a trace file: name the server to send it to.');
  // Naming it enables the send: the user chose the target.
  await detail.getByTestId('resend-target').fill(e2e.hosts.env.BZR_URL);
  expect(await detail.getByTestId('resend').isDisabled()).toBe(false);
  await detail.getByTestId('resend').click();
  await expect.poll(() => detail.getByTestId('call-result').getByTestId('call-result-args').textContent()).toMatch(/^"yes"/);
  await e2e.ui.screenshot('trace-resend-target');
  await page.getByRole('button', { name: 'Back to live' }).click();
});

test("a capture's .jsonl opens as decoded calls, its failures red", async () => {
  const { page } = e2e.ui;
  await page.getByTestId('trace-input').setInputFiles(join(CAPTURES_DIR, 'cli-log-notabranch.conn1.jsonl'));
  await page.getByText('Live activity is paused').waitFor();
  const results = page.locator('[data-testid="call-row"][data-verb="BzrDir.open_2.1"] [data-testid="row-result"]');
  await expect.poll(() => results.allTextContents()).toEqual(['S no', 'S no']);
  expect(await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(['fail', 'fail']);
  await results.first().click();
  expect(await page.getByTestId('raw-request').locator('pre').textContent()).toMatch(/^000000 {2}62 7a 72 20 6d 65 73 73 61 67 65 20 33 20 28 62 {2}bzr message 3 \(b/);
  // The captured bytes save to a file: the capture's own first request, byte for byte.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('raw-request-save').click()]);
  expect(download.suggestedFilename()).toBe('cap1.c1-BzrDir.open_2.1-request.bin');
  const c2s = readFileSync(join(CAPTURES_DIR, 'cli-log-notabranch.conn1.c2s.bin'));
  const saved = readFileSync(await download.path());
  expect(saved.length).toBeGreaterThan(40);
  expect(Buffer.compare(saved, c2s.subarray(0, saved.length))).toBe(0);
  await e2e.ui.screenshot('capture-opened');
  // A body is shown as far as the capture holds it (~4 KiB), not only the events' 48-byte preview.
  await page.getByTestId('trace-input').setInputFiles(join(CAPTURES_DIR, 'cli-branch.conn1.jsonl'));
  await page.locator('[data-testid="call-row"][data-verb="Repository.get_stream_1.19"]').first().click();
  const body = page.getByTestId('call-detail').locator('.body-view').filter({ hasText: 'Response body' });
  const shown = Number(/first ([\d,]+) bytes shown/.exec((await body.textContent()) ?? '')?.[1].replace(/,/g, ''));
  expect(shown).toBeGreaterThan(1000);
  await e2e.ui.screenshot('capture-body');
  await page.getByRole('button', { name: 'Back to live' }).click();
});

test('a 20 MB trace opens with labelled progress in a few seconds', async () => {
  const { page } = e2e.ui;
  const bus = new EventBus();
  const events = [];
  const raw = (n: number) => ({ base64: Buffer.alloc(n, 0x61).toString('base64'), length: n, truncated: false });
  let calls = 0;
  events.push(bus.emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:1', ownerId: 'p1' }));
  for (let size = 0; size < 20 * 1024 * 1024; calls++) {
    const callId = `c${calls}`;
    const started = bus.emit({ type: 'call-started', mediumId: 'm1', callId, protocol: 3, verb: 'Repository.get_parent_map', args: ['trunk/', String(calls)], verbKind: 'read', vfs: false, requestBody: null, headers: { 'Software version': '3.3.2' }, raw: raw(300) });
    const finished = bus.emit({ type: 'call-finished', mediumId: 'm1', callId, verb: 'Repository.get_parent_map', status: 'S', args: ['ok'], responseBody: { length: 900, parts: 1, preview: 'x' }, durationMs: 1, headers: { 'Software version': '3.3.2' }, raw: raw(600) });
    events.push(started, finished);
    size += JSON.stringify(started).length + JSON.stringify(finished).length;
  }
  const big = join(scratch, 'big.jsonl');
  writeFileSync(big, serializeTrace(events));
  expect(statSync(big).size).toBeGreaterThan(20 * 1024 * 1024);

  const t0 = Date.now();
  await page.getByTestId('trace-input').setInputFiles(big);
  const progress = page.getByTestId('trace-progress');
  await progress.waitFor({ timeout: 5_000 });
  expect(await progress.textContent()).toMatch(/^(Reading the file…|Parsing the file…|Loading [\d,]+ of [\d,]+ events)$/);
  await expect.poll(() => page.getByTestId('call-count').textContent(), { timeout: 15_000 }).toBe(`${calls.toLocaleString('en-US')} calls`);
  const seconds = (Date.now() - t0) / 1000;
  console.log(`20 MB trace (${events.length} events, ${calls} calls) opened in ${seconds.toFixed(1)} s`);
  expect(seconds).toBeLessThan(8);
  await e2e.ui.screenshot('big-trace-opened');
  await page.getByRole('button', { name: 'Back to live' }).click();
  expect(e2e.ui.pageErrors).toEqual([]);
});
