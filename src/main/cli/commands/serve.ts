/**
 * `hpss serve DIR`: a bzr:// test server whose connections are each relayed to a
 * `brz serve --inet` of their own. (`--backend builtin`, the default without brz on the
 * PATH, fails to start until the built-in backend exists.)
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DEFAULT_LISTEN, startServer } from '../../server';
import { policyFromValues, runOwnerCommand, UsageError } from '../owner-command';
import type { CliCommand } from './command';

function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const USAGE =
  'serve DIR [--backend breezy|builtin] [--listen HOST:PORT] [--allow-writes] [--client-timeout SECONDS] [--refuse-vfs] [--trace FILE] [--quiet]' +
  ' [--ssh-listen HOST:PORT --authorized-keys FILE [--host-key FILE]]\n       hpss serve --inet [--directory=DIR] [--allow-writes] [--client-timeout SECONDS] [--trace FILE]';

export const serveCommand: CliCommand = {
  name: 'serve',
  usage: 'serve DIR [--listen HOST:PORT] [--allow-writes] [--refuse-vfs] …',
  summary: 'serve DIR over bzr://, each connection relayed to brz serve --inet',
  run: (argv) =>
    runOwnerCommand('serve', USAGE, { backend: { type: 'string' }, 'allow-writes': { type: 'boolean', default: false } }, argv, (values, positionals, bus, ids) => {
      const [dir, ...extra] = positionals;
      if (!dir || extra.length > 0) throw new UsageError('serve takes one directory');
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
      const backend = typeof values.backend === 'string' ? values.backend : onPath('brz') ? 'breezy' : 'builtin';
      if (backend !== 'breezy' && backend !== 'builtin') throw new UsageError(`unknown backend '${backend}': use breezy or builtin`);
      if (values['allow-writes'] !== true) process.stdout.write(`read-only: clients cannot change ${dir} (start with --allow-writes to let them)\n`);
      return startServer(
        {
          backend,
          dir,
          listen: typeof values.listen === 'string' ? values.listen : DEFAULT_LISTEN,
          allowWrites: values['allow-writes'] === true,
          policy: policyFromValues(values),
        },
        bus,
        ids,
      );
    }),
};
