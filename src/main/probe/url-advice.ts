/**
 * What is wrong with a URL before any network access: a scheme brz would not use for the
 * smart protocol (`ssh://` where `bzr+ssh://` was meant), or a host that no longer serves
 * Bazaar branches (Launchpad ended Bazaar hosting in September 2025).
 */
export interface UrlAdvice {
  verdict: string;
  fix: string;
}

const LAUNCHPAD_HOSTS = new Set(['bazaar.launchpad.net', 'bazaar.qastaging.launchpad.net', 'bazaar.staging.launchpad.net']);

export function adviseUrl(text: string): UrlAdvice | null {
  if (/^lp:/i.test(text)) return launchpad();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  let host = '';
  try {
    host = new URL(text).hostname.toLowerCase();
  } catch {
    return null;
  }
  if (LAUNCHPAD_HOSTS.has(host)) return launchpad();
  if (scheme === 'ssh') {
    return {
      verdict: `brz does not take ssh:// URLs (it answers: Unsupported protocol for url "${text}": Use bzr+ssh for Bazaar operations over SSH)`,
      fix: `use bzr+${text} to run the smart server over SSH`,
    };
  }
  if (scheme === 'sftp') {
    return {
      verdict: 'sftp:// is plain file access over SFTP: it never runs a Bazaar smart server, so there is nothing to probe',
      fix: `use bzr+ssh://${text.slice('sftp://'.length)} to run the smart server over SSH`,
    };
  }
  return null;
}

function launchpad(): UrlAdvice {
  return {
    verdict: 'Launchpad ended Bazaar branch hosting in September 2025: bazaar.launchpad.net no longer serves branches (not checked over the network)',
    fix: "use the project's Git repository on Launchpad (git.launchpad.net) or its new home; a Bazaar history survives only where someone converted or mirrored it",
  };
}
