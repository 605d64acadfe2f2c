import { expect, test } from 'vitest';
import { breezyListen } from '../../../../src/main/cli/hooks/breezy-flags';

test("Breezy's --listen HOST and --port N become our --listen HOST:PORT", () => {
  expect(breezyListen(undefined, undefined)).toBeNull();
  expect(breezyListen('127.0.0.1:0', undefined)).toBeNull();
  expect(breezyListen('[::1]:4155', undefined)).toBeNull();
  expect(breezyListen('127.0.0.1', undefined)).toBe('127.0.0.1:4155');
  expect(breezyListen('::1', undefined)).toBe('[::1]:4155');
  expect(breezyListen(undefined, '0')).toBe('127.0.0.1:0');
  expect(breezyListen('127.0.0.2', '4156')).toBe('127.0.0.2:4156');
  expect(breezyListen('[::1]:1', '2')).toBe('[::1]:2');
  expect(breezyListen('::1', '2')).toBe('[::1]:2');
  expect(breezyListen(undefined, 'http')).toBe(-1);
  expect(breezyListen(undefined, '70000')).toBe(-1);
});
