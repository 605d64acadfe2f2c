/**
 * On a server's card, when it serves bzr+ssh:// too: its host key fingerprint, and copy
 * buttons for its known_hosts line and a ready BRZ_SSH recipe (src/shared/ssh-recipe.ts).
 */
import type { OwnerSshInfo } from '../../../../shared/api';
import { brzSshRecipe } from '../../../../shared/ssh-recipe';
import { CopyButton } from '../controls';

export function SshServerTrust({ ssh }: { ssh: OwnerSshInfo }) {
  const recipe = brzSshRecipe(ssh.url, ssh.knownHostsLine);
  return (
    <details className="ssh-trust" data-testid="ssh-trust">
      <summary>
        SSH host key <code>{ssh.fingerprint}</code>
      </summary>
      <pre className="ssh-trust-text" data-testid="ssh-known-hosts-line">
        {ssh.knownHostsLine}
      </pre>
      <pre className="ssh-trust-text" data-testid="ssh-recipe">
        {recipe}
      </pre>
      <div className="owner-actions">
        <CopyButton text={ssh.knownHostsLine} label="Copy known_hosts line" testId="copy-known-hosts" />
        <CopyButton text={recipe} label="Copy BRZ_SSH recipe" testId="copy-brz-ssh" />
      </div>
    </details>
  );
}
