/**
 * The browser UI survives its shell going away: it says the engine is unreachable,
 * reconnects when the shell is back, and fetches what happened meanwhile from the
 * engine's ring (nothing lost, nothing twice).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startUi, type UiHarness } from './support/ui-harness';

let ui: UiHarness;
beforeAll(async () => {
  ui = await startUi();
});
afterAll(async () => {
  await ui?.stop();
});

function emitCall(callId: string, verb: string): void {
  ui.engine.bus.emit({ type: 'call-started', mediumId: 'm1', callId, protocol: 3, verb, args: [], verbKind: 'read', vfs: false, requestBody: null });
  ui.engine.bus.emit({ type: 'call-finished', mediumId: 'm1', callId, verb, status: 'S', args: ['ok'], responseBody: null, durationMs: 1 });
}

test('reconnects after the shell restarts and shows the events it missed, once', async () => {
  const { page } = ui;
  emitCall('c1', 'before.down');
  await page.locator('[data-verb="before.down"]').waitFor();
  await ui.restartShell(async () => {
    await page.getByText('engine unreachable').waitFor();
    await ui.screenshot('engine-unreachable');
    emitCall('c2', 'while.down');
  });
  await page.getByText('live', { exact: true }).waitFor({ timeout: 15_000 });
  await page.locator('[data-verb="while.down"]').waitFor();
  emitCall('c3', 'after.up');
  await page.locator('[data-verb="after.up"]').waitFor();
  expect(await page.getByTestId('call-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verb')))).toEqual(['before.down', 'while.down', 'after.up']);
});

test('Clear forgets what is shown; new calls still arrive', async () => {
  const { page } = ui;
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect.poll(() => page.getByTestId('call-count').textContent()).toBe('0 calls');
  expect(await page.locator('tr[data-testid^="medium-"]').count()).toBe(0);
  emitCall('c4', 'after.clear');
  await page.locator('[data-verb="after.clear"]').waitFor();
  expect(await page.getByTestId('call-count').textContent()).toBe('1 call');
});
