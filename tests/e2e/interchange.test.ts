/**
 * "Open…" takes a real tcpdump capture and a real brz -Dhpss log, and "Export…" writes the
 * calls (all, or the selected one) as a pcapng that Debian's tshark decodes as bzr — in the
 * real UI, with calls the engine's own client sent to a real `brz serve`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CaptureImporter } from '../../src/shared/interchange';
import { captureLoopback } from '../support/tcpdump';
import { requireTool } from '../support/test-hosts';
import { useUiWithHosts } from './support/ui-harness';

const scratch = mkdtempSync(join(tmpdir(), 'hpss-e2e-interchange-'));
const capture = join(scratch, 'calls.pcap');
const log = join(scratch, 'brz.log');

/** "verb status" of each call in a capture's bytes, or "verb error: kind" for one it holds no whole answer to. */
function capturedCalls(bytes: Buffer): string {
  const importer = new CaptureImporter();
  importer.feed(bytes);
  return importer
    .finish()
    .events.flatMap((e) => (e.type === 'call-finished' ? [`${e.verb} ${e.error ? `error: ${e.error.kind}` : e.status}`] : []))
    .join(', ');
}
const BOTH_ANSWERED = 'BzrDir.open_2.1 S, Branch.get_stacked_on_url E';

const e2e = useUiWithHosts(async ({ hosts, ui }) => {
  requireTool('tshark', 'tshark');
  const dump = await captureLoopback(hosts.env.BZR_TCP_PORT, capture);
  try {
    for (const [verb, args] of [
      ['BzrDir.open_2.1', ['trunk/']],
      ['Branch.get_stacked_on_url', ['trunk/']],
    ] as const) {
      const r = await ui.engine.run('ui:call:send', { url: hosts.env.BZR_URL, verb, args: [...args] });
      if (!r.ok) throw new Error(`${verb}: ${r.error.message}`);
    }
    await dump.stop({ what: `both calls answered (${BOTH_ANSWERED})`, holds: (bytes) => capturedCalls(bytes) === BOTH_ANSWERED });
  } finally {
    await dump.stop();
  }
  // The capture itself must hold both calls answered, or the UI test below could only time out.
  const captured = capturedCalls(readFileSync(capture));
  if (captured !== BOTH_ANSWERED) throw new Error(`tcpdump captured calls [${captured}], expected [${BOTH_ANSWERED}]`);
  await new Promise<void>((resolve, reject) =>
    execFile('brz', ['-Dhpss', 'log', '--line', `${hosts.env.BZR_URL}trunk`], { env: hosts.brzEnv({ BRZ_LOG: log }), timeout: 60_000 }, (err) => (err ? reject(err) : resolve())),
  );
  await ui.page.locator('[data-testid="call-row"][data-verb="Branch.get_stacked_on_url"]').waitFor();
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function exported(which: 'export-all' | 'export-selected'): Promise<{ file: string; calls: string[] }> {
  const { page } = e2e.ui;
  await page.getByTestId('export-pcapng').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(which).click()]);
  expect(download.suggestedFilename()).toMatch(/\.pcapng$/);
  const file = await download.path();
  const importer = new CaptureImporter();
  importer.feed(readFileSync(file));
  const calls = importer.finish().events.flatMap((e) => (e.type === 'call-finished' ? [`${e.verb} ${e.status}`] : []));
  return { file, calls };
}

test('Export… writes every call, or the selected one, as a pcapng tshark decodes as bzr', async () => {
  const { page } = e2e.ui;
  const all = await exported('export-all');
  expect(all.calls).toEqual(['BzrDir.open_2.1 S', 'Branch.get_stacked_on_url E']);
  const tshark = execFileSync('tshark', ['-r', all.file, '-T', 'fields', '-e', 'bzr.result'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  expect(tshark.split('\n').filter((l) => l.trim() !== '')).toEqual(["'S'", "'E'"]);
  await page.getByTestId('notice').filter({ hasText: 'Exported 2 call(s) on 2 connection(s)' }).waitFor();

  await page.locator('[data-testid="call-row"][data-verb="Branch.get_stacked_on_url"]').first().click();
  expect((await exported('export-selected')).calls).toEqual(['Branch.get_stacked_on_url E']);
  await e2e.ui.screenshot('export-menu');
});

test('Open… takes a real tcpdump capture: its calls show, with their wire bytes', async () => {
  const { page } = e2e.ui;
  await page.getByTestId('trace-input').setInputFiles(capture);
  await page.getByText('Live activity is paused').waitFor();
  await page.locator('[data-testid="call-row"][data-verb="Branch.get_stacked_on_url"]').first().click();
  await page.getByTestId('call-detail').getByText('NotStacked').first().waitFor();
  await e2e.ui.screenshot('capture-opened');
  await page.getByRole('button', { name: 'Back to live' }).click();
});

test('Open… takes a real brz -Dhpss log: the calls brz made show', async () => {
  const { page } = e2e.ui;
  await page.getByTestId('trace-input').setInputFiles(log);
  await page.getByText('Live activity is paused').waitFor();
  await page.locator('[data-testid="call-row"][data-verb="Branch.last_revision_info"]').first().waitFor();
  await page.getByRole('button', { name: 'Back to live' }).click();
  expect(e2e.ui.pageErrors).toEqual([]);
});
