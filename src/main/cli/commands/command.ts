/** One `hpss` subcommand. `run` resolves to the process exit status. */
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
