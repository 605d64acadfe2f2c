/** `hpss proxy UPSTREAM_URL`: a tracing relay between bzr clients and a bzr:// or bzr+ssh:// server. */
import { DEFAULT_LISTEN, startProxy } from '../../server';
import { SSH_CLIENT_OPTIONS, type CliCommand } from './command';
import { countOption, policyFromValues, runOwnerCommand, UsageError } from '../owner-command';

const USAGE = 'proxy UPSTREAM_URL [--listen HOST:PORT] [--max-connections N] [policy flags] [--identity FILE] [--known-hosts FILE] [--trace FILE] [--quiet]';

export const proxyCommand: CliCommand = {
  name: 'proxy',
  usage: 'proxy UPSTREAM_URL [--listen HOST:PORT] [--refuse-vfs] …',
  summary: 'relay bzr clients to UPSTREAM_URL, one upstream connection each',
  run: (argv) =>
    runOwnerCommand('proxy', USAGE, SSH_CLIENT_OPTIONS, argv, (values, positionals, bus, ids) => {
      const [upstream, ...extra] = positionals;
      if (!upstream || extra.length > 0) throw new UsageError('proxy takes one upstream URL');
      return startProxy(
        {
          upstream,
          listen: typeof values.listen === 'string' ? values.listen : DEFAULT_LISTEN,
          identity: typeof values.identity === 'string' ? values.identity : undefined,
          knownHosts: typeof values['known-hosts'] === 'string' ? values['known-hosts'] : undefined,
          policy: policyFromValues(values),
          maxConnections: countOption(values, 'max-connections'),
        },
        bus,
        ids,
      );
    }),
};
