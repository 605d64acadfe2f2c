/**
 * Breezy's own `serve` flags, so `hpss` can stand in for `bzr` on a server:
 * `--inet` (serve one session on stdin/stdout, as sshd runs it for bzr+ssh),
 * `--directory=DIR` (the same as the DIR argument), `--port=N` and a bare-host
 * `--listen` (Breezy's split of our `--listen HOST:PORT`). `--allow-writes` and
 * `--client-timeout` are already `serve` options.
 *
 * Must run before the other hooks: with `--inet` it takes the run over (and traces
 * the session itself), so nothing else may open listeners or write to stdout.
 */
import { runInetSession } from '../../server/ssh/inet-session';
import { BZR_DEFAULT_PORT, formatHostPort, parseHostPort } from '../../../shared/host-port';
import type { PolicySettings } from '../../../shared/policies';
import { policyFromValues, type OwnerHook, type ParsedValues } from '../owner-command';
import { errorText } from '../args';


export const breezyFlagsHook: OwnerHook = {
  options: { inet: { type: 'boolean', default: false }, directory: { type: 'string' }, port: { type: 'string' } },
  async beforeStart(ctx) {
    const { values, positionals, command } = ctx;
    const fail = (message: string): number => {
      process.stderr.write(`hpss ${command}: ${message}\n`);
      return 2;
    };
    const directory = values.directory;
    if (typeof directory === 'string') {
      if (command !== 'serve') return fail('--directory is an option of hpss serve');
      if (positionals.length > 0) return fail('give the directory as DIR or as --directory, not both');
      positionals.push(directory);
    }
    if (values.inet === true) {
      if (command !== 'serve') return fail('--inet is an option of hpss serve');
      return serveInet(ctx.values, positionals[0] ?? process.cwd());
    }
    const listen = breezyListen(values.listen, values.port);
    if (typeof listen === 'number') return fail(`--port: '${String(values.port)}' is not a port number`);
    if (listen !== null) values.listen = listen;
    return null;
  },
};

async function serveInet(values: ParsedValues, directory: string): Promise<number> {
  let policy: PolicySettings;
  try {
    policy = policyFromValues(values);
  } catch (err) {
    process.stderr.write(`hpss serve: ${errorText(err)}\n`);
    return 2;
  }
  try {
    const { failed } = await runInetSession({
      directory,
      allowWrites: values['allow-writes'] === true,
      policy,
      trace: typeof values.trace === 'string' ? values.trace : undefined,
    });
    return failed ? 1 : 0;
  } catch (err) {
    process.stderr.write(`hpss serve --inet: ${errorText(err)}\n`);
    return 1;
  }
}

/**
 * Our `--listen HOST:PORT` from Breezy's `--listen HOST` and `--port N`; null when
 * there is nothing to change, -1 for a bad port.
 */
export function breezyListen(listen: unknown, port: unknown): string | null | -1 {
  const given = typeof listen === 'string' ? listen : null;
  const withPort = given === null ? null : parseHostPort(given);
  const host = given === null ? '127.0.0.1' : withPort ? withPort.host : given.replace(/^\[(.*)\]$/, '$1');
  if (port === undefined) return given !== null && !withPort ? formatHostPort(host, BZR_DEFAULT_PORT) : null;
  if (typeof port !== 'string' || !/^\d+$/.test(port) || Number(port) > 65535) return -1;
  return formatHostPort(host, Number(port));
}
