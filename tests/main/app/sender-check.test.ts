import { expect, test } from 'vitest';
import { isTrustedSender } from '../../../src/main/app/sender-check';

const PAGE = 'file:///opt/HPSS%20Inspector/resources/app.asar/out/renderer/index.html';
const ok = { fromOurWindow: true, fromMainFrame: true, frameUrl: PAGE };

test('our window, its top frame, our page (with or without query or hash): trusted', () => {
  expect(isTrustedSender(ok, PAGE)).toBe(true);
  expect(isTrustedSender({ ...ok, frameUrl: `${PAGE}#calls` }, PAGE)).toBe(true);
  expect(isTrustedSender({ ...ok, frameUrl: `${PAGE}?x=1` }, PAGE)).toBe(true);
});

test('another window, a subframe, another page or a look-alike path: refused', () => {
  expect(isTrustedSender({ ...ok, fromOurWindow: false }, PAGE)).toBe(false);
  expect(isTrustedSender({ ...ok, fromMainFrame: false }, PAGE)).toBe(false);
  expect(isTrustedSender({ ...ok, frameUrl: 'https://example.com/' }, PAGE)).toBe(false);
  expect(isTrustedSender({ ...ok, frameUrl: `${PAGE}.evil.html` }, PAGE)).toBe(false);
  expect(isTrustedSender({ ...ok, frameUrl: '' }, PAGE)).toBe(false);
});
