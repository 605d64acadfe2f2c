import type { CliCommand } from './command';
import { traceCommand } from './trace';

/** Every subcommand, in the order `hpss --help` lists them. */
export const COMMANDS: CliCommand[] = [traceCommand];
