import type { CliCommand } from './command';

/** Every subcommand, in the order `hpss --help` lists them. */
export const COMMANDS: CliCommand[] = [];
