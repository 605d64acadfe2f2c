/**
 * Saving and opening traces, resending recorded calls (at once for a read verb, after a
 * confirmation for others), and the dark theme — in the real UI, with calls sent by the
 * engine's own client to a real `brz serve`.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseTrace } from '../../src/main/trace/read-trace';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts(async ({ hosts, ui }) => {
  for (const [verb, args] of [
    ['BzrDir.open_2.1', ['trunk/']],
    ['put', ['ui-test-scratch', '']],
  ] as const) {
    const r = await ui.engine.run('ui:call:send', { url: hosts.env.BZR_URL, verb, args: [...args] });
    if (!r.ok) throw new Error(`${verb}: ${r.error.message}`);
  }
  await ui.page.locator('[data-testid="call-row"][data-verb="put"]').waitFor();
});

test('a read verb is resent at once; a write verb only after confirming', async () => {
  const { page } = e2e.ui;
  await page.locator('[data-testid="call-row"][data-verb="BzrDir.open_2.1"]').first().click();
  await page.getByTestId('resend').click();
  const result = page.getByTestId('call-detail').getByTestId('call-result');
  await result.waitFor();
  expect(await result.getByTestId('call-result-args').textContent()).toMatch(/^"yes"/);

  await page.locator('[data-testid="call-row"][data-verb="put"]').first().click();
  await page.getByTestId('resend').click();
  const dialog = page.getByRole('dialog', { name: 'Resend put?' });
  await dialog.waitFor();
  expect(await dialog.textContent()).toMatch(/may change the repository/);
  await e2e.ui.screenshot('resend-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await page.getByTestId('call-detail').getByTestId('call-result').count()).toBe(0);
});

test('"Save trace" writes a trace the recorder tooling reads; opening it shows its calls', async () => {
  const { page } = e2e.ui;
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-trace').click()]);
  expect(download.suggestedFilename()).toMatch(/^hpss-trace-.*\.jsonl$/);
  const file = await download.path();
  const { sessions } = parseTrace(readFileSync(file, 'utf8'), file);
  const verbs = sessions[0].events.flatMap((e) => (e.type === 'call-started' ? [e.verb] : []));
  expect(verbs).toEqual(expect.arrayContaining(['BzrDir.open_2.1', 'put']));

  await page.getByTestId('trace-input').setInputFiles(file);
  await page.getByText('Live activity is paused').waitFor();
  await page.locator('[data-testid="call-row"][data-verb="put"]').first().waitFor();
  await e2e.ui.screenshot('trace-opened');
  await page.getByRole('button', { name: 'Back to live' }).click();
  await page.getByText('Live activity is paused').waitFor({ state: 'hidden' });
  await page.locator('[data-testid="call-row"][data-verb="put"]').first().waitFor();
});

test('a file that is not a trace is refused with what to do', async () => {
  const { page } = e2e.ui;
  await page.getByTestId('trace-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
  const notice = page.getByTestId('notice').filter({ hasText: 'Opening notes.txt failed' });
  await notice.waitFor();
  expect(await notice.textContent()).toMatch(/not an hpss trace file.*hpss … --trace FILE/);
});

test('the theme switches to dark and back to the system choice', async () => {
  const { page } = e2e.ui;
  const html = page.locator('html');
  const toggle = page.getByRole('button', { name: /^Theme: / });
  await toggle.click();
  expect(await html.getAttribute('data-theme')).toBe('light');
  await toggle.click();
  expect(await html.getAttribute('data-theme')).toBe('dark');
  await page.locator('[data-testid="call-row"][data-verb="BzrDir.open_2.1"]').first().click();
  await e2e.ui.screenshot('dark-theme');
  await toggle.click();
  expect(await html.getAttribute('data-theme')).toBeNull();
  expect(e2e.ui.pageErrors).toEqual([]);
});
