/** One `hpss` subcommand, and how one with options is declared. */
import { parseCommandArgs, usageFailure, type OptionSpec, type ParsedArgs } from '../args';

/** One `hpss` subcommand. `run` resolves to the process exit status. */
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** `--json`: machine-readable output. */
export const JSON_OPTION = { json: { type: 'boolean', default: false } } as const;

export interface OptionsCommand<T extends OptionSpec> {
  name: string;
  usage: string;
  summary: string;
  options: T;
  /** Runs with argv parsed; `usageMistake` reports one (with the usage line) and answers exit status 2. */
  run(parsed: ParsedArgs<T>, usageMistake: (message?: string) => number): Promise<number>;
}

/** A subcommand whose argv is parsed against its options first: an unknown or malformed option exits 2 before it runs. */
export function optionsCommand<T extends OptionSpec>(command: OptionsCommand<T>): CliCommand {
  const { name, usage, summary, options } = command;
  return {
    name,
    usage,
    summary,
    run(argv) {
      // `--help` / `-h` anywhere before `--`: the usage and what the command does, exit 0.
      const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
      if (own.includes('--help') || own.includes('-h')) {
        process.stdout.write(`usage: hpss ${usage}\n\n${summary}\n`);
        return Promise.resolve(0);
      }
      const parsed = parseCommandArgs(name, usage, argv, options);
      if (!parsed) return Promise.resolve(2);
      return command.run(parsed, (message) => usageFailure(name, usage, message));
    },
  };
}
