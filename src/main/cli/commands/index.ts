import type { CliCommand } from './command';
import { decodeCommand } from './decode';
import { proxyCommand } from './proxy';
import { serveCommand } from './serve';
import { traceCommand } from './trace';
import { uiCommand } from './ui';

/** Every subcommand, in the order `hpss --help` lists them. */
export const COMMANDS: CliCommand[] = [uiCommand, serveCommand, proxyCommand, traceCommand, decodeCommand];
