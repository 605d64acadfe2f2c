/** `hpss proxy UPSTREAM_URL`: a tracing relay between bzr clients and a bzr:// or bzr+ssh:// server. */
import { openSshSession, type SshTrustOptions } from '../../medium/ssh/ssh-session';
import { DEFAULT_LISTEN, startProxy } from '../../server';
import { parseUpstreamUrl } from '../../server/backends/upstream';
import { SSH_CLIENT_OPTIONS, SSH_CLIENT_USAGE, sshTrustFromValues } from '../hooks/ssh-client-options';
import type { CliCommand } from './command';
import { countOption, policyFromValues, runOwnerCommand, UsageError } from '../owner-command';

const USAGE = `proxy UPSTREAM_URL [--listen HOST:PORT] [--max-connections N] [policy flags] [--trace FILE] [--quiet] ${SSH_CLIENT_USAGE}`;

/**
 * `--accept-new-host-key` is settled before listening: one SSH login to the upstream
 * shows the host key's fingerprint and writes it to known_hosts, so every relayed
 * connection after it checks against a known key (and a bad passphrase fails now, not
 * on the first client).
 */
async function acceptUpstreamHostKey(upstream: string, trust: SshTrustOptions): Promise<void> {
  const url = parseUpstreamUrl(upstream);
  if (url.scheme !== 'bzr+ssh' || !trust.acceptNewHostKey) return;
  const session = await openSshSession({ host: url.host, port: url.port, username: url.user, ...trust }, (s) => {
    if (s.step === 'host-key') process.stderr.write(`hpss proxy: upstream host key: ${s.detail}\n`);
  });
  session.client.end();
}

export const proxyCommand: CliCommand = {
  name: 'proxy',
  usage: 'proxy UPSTREAM_URL [--listen HOST:PORT] [--refuse-vfs] …',
  summary: 'relay bzr clients to UPSTREAM_URL, one upstream connection each',
  run: (argv) =>
    runOwnerCommand('proxy', USAGE, SSH_CLIENT_OPTIONS, argv, async (values, positionals, bus, ids) => {
      const [upstream, ...extra] = positionals;
      if (!upstream || extra.length > 0) throw new UsageError('proxy takes one upstream URL');
      const trust = await sshTrustFromValues(values);
      await acceptUpstreamHostKey(upstream, trust);
      return startProxy(
        {
          upstream,
          listen: typeof values.listen === 'string' ? values.listen : DEFAULT_LISTEN,
          identity: trust.identityFile,
          passphrase: trust.passphrase,
          knownHosts: trust.knownHostsFile,
          policy: policyFromValues(values),
          maxConnections: countOption(values, 'max-connections'),
        },
        bus,
        ids,
      );
    }),
};
