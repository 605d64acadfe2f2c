/**
 * The one web permission the app's page may use: writing plain text to the clipboard
 * (copy buttons). Every other permission request or check is refused. Kept free of
 * Electron so it can be tested in Node.
 */
const ALLOWED: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isAllowedPermission(permission: string): boolean {
  return ALLOWED.has(permission);
}
