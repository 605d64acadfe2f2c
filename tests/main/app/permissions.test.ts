import { expect, test } from 'vitest';
import { isAllowedPermission } from '../../../src/main/app/permissions';

test('the page may write the clipboard and nothing else', () => {
  expect(isAllowedPermission('clipboard-sanitized-write')).toBe(true);
  for (const p of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fullscreen', 'usb', '']) expect(isAllowedPermission(p), p).toBe(false);
});
