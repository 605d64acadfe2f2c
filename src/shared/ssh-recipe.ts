/**
 * A ready recipe for pointing a real brz at the embedded SSH server: an ssh wrapper
 * (Breezy's BRZ_SSH takes a program path and asks it `-V` for its vendor) that checks
 * this server's host key against a known_hosts file of its own, so the user's
 * ~/.ssh/known_hosts is left alone. (For 127.0.0.1 brz itself adds
 * `-oNoHostAuthenticationForLocalhost=yes`; the pin matters once the server is reached by
 * another name.) The key comes from the user's agent or ~/.ssh/id_*. Plain POSIX sh.
 */

/** The folder the recipe writes to: one per port, under /tmp. */
export function recipeDir(port: number): string {
  return `/tmp/hpss-ssh-${port}`;
}

export function brzSshRecipe(url: string, knownHostsLine: string): string {
  const dir = recipeDir(Number(new URL(url).port || 22));
  return [
    `mkdir -p ${dir}`,
    `printf '%s\\n' '${knownHostsLine}' > ${dir}/known_hosts`,
    `printf '%s\\n' '#!/bin/sh' 'exec ssh -o UserKnownHostsFile=${dir}/known_hosts -o StrictHostKeyChecking=yes "$@"' > ${dir}/ssh`,
    `chmod +x ${dir}/ssh`,
    `BRZ_SSH=${dir}/ssh brz log ${url}`,
  ].join('\n');
}
