/**
 * Secrets never shown: the password in a URL's userinfo (`bzr+ssh://user:pass@host/`)
 * becomes `***` wherever a URL is printed, returned, traced or sent as an event. The one
 * helper for it; it takes any text, so a URL inside an error message is covered too.
 */

export const REDACTED = '***';

/**
 * `scheme://user:password@` → `scheme://user:***@`, for every URL in the text. The
 * password runs to the last `@` before the authority ends (`/`, `?`, `#` or blank), as a
 * URL parser reads it, so a literal `@` in it does not leave a tail behind.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#]*@/gi;

export function redactUrlSecrets(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`);
}
