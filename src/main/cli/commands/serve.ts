/**
 * `hpss serve DIR`: a bzr:// test server on one of the registry's backends (Breezy where
 * brz is installed, else the built-in one). Policy flags come from the policy registry.
 */
import { statSync } from 'node:fs';
import { isServerBackendId, SERVER_BACKENDS, SERVER_BACKEND_IDS, type ServerBackendId } from '../../../shared/server-backends';
import { DEFAULT_LISTEN, startServer } from '../../server';
import { serverBackend } from '../../server/backends/registry';
import { countOption, policyFromValues, runOwnerCommand, UsageError } from '../owner-command';
import type { CliCommand } from './command';

/** The first backend of the registry that can run here (Breezy where brz is installed). */
function defaultBackend(): ServerBackendId {
  return SERVER_BACKEND_IDS.find((id) => serverBackend(id).unavailableReason() === null) ?? SERVER_BACKEND_IDS[0];
}

const BACKEND_HELP = SERVER_BACKENDS.map((b) => `${b.id}: ${b.help}`).join('; ');

const USAGE =
  `serve DIR [--backend ${SERVER_BACKEND_IDS.join('|')}] [--listen HOST:PORT] [--allow-writes] [--max-connections N] [--max-processes N] [policy flags] [--trace FILE] [--quiet]` +
  ' [--ssh-listen HOST:PORT --authorized-keys FILE [--host-key FILE] [SSH limits]]\n       hpss serve --inet [--directory=DIR] [--allow-writes] [--client-timeout SECONDS] [--trace FILE]' +
  `\n\nbackends (default: the first that can run here): ${BACKEND_HELP}`;

export const serveCommand: CliCommand = {
  name: 'serve',
  usage: 'serve DIR [--listen HOST:PORT] [--allow-writes] [--refuse-vfs] …',
  summary: 'serve DIR over bzr:// (and bzr+ssh://), by Breezy or the built-in backend',
  run: (argv) =>
    runOwnerCommand('serve', USAGE, { backend: { type: 'string' }, 'allow-writes': { type: 'boolean', default: false }, 'max-processes': { type: 'string' } }, argv, (values, positionals, bus, ids) => {
      const [dir, ...extra] = positionals;
      if (!dir || extra.length > 0) throw new UsageError('serve takes one directory');
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
      const backend = typeof values.backend === 'string' ? values.backend : defaultBackend();
      if (!isServerBackendId(backend)) throw new UsageError(`unknown backend '${backend}': use ${SERVER_BACKEND_IDS.join(' or ')}`);
      if (values.backend === undefined && backend !== SERVER_BACKEND_IDS[0]) {
        process.stderr.write(`hpss serve: using the ${backend} backend (${serverBackend(SERVER_BACKEND_IDS[0]).unavailableReason()})\n`);
      }
      if (values['allow-writes'] !== true) process.stdout.write(`read-only: clients cannot change ${dir} (start with --allow-writes to let them)\n`);
      return startServer(
        {
          backend,
          dir,
          listen: typeof values.listen === 'string' ? values.listen : DEFAULT_LISTEN,
          allowWrites: values['allow-writes'] === true,
          policy: policyFromValues(values),
          maxConnections: countOption(values, 'max-connections'),
          maxProcesses: countOption(values, 'max-processes'),
        },
        bus,
        ids,
      );
    }),
};
