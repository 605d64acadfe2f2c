/**
 * Which links the Electron shell hands to the user's browser (`shell.openExternal`):
 * https only, to a short list of documentation hosts. Anything else a page could
 * smuggle in (file:, smb:, custom schemes that start local programs, credentials in
 * the URL) is dropped. Kept free of Electron so it can be tested in Node.
 */
export const EXTERNAL_LINK_HOSTS: ReadonlySet<string> = new Set(['www.breezy-vcs.org', 'breezy-vcs.org', 'github.com', 'code.launchpad.net', 'launchpad.net']);

export function isAllowedExternalLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.port === '' && EXTERNAL_LINK_HOSTS.has(parsed.hostname);
}
