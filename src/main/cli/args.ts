/**
 * What every `hpss` subcommand does with its argv: node's `parseArgs` with positionals,
 * and one way to report a usage mistake (message, usage line, exit status 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { redactUrlSecrets } from '../../shared/redact';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export type ParsedArgs<T extends OptionSpec> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: T }>>;

/** The text of anything thrown. */
export function errorText(err: unknown): string {
  return redactUrlSecrets(err instanceof Error ? err.message : String(err));
}

/** Writes `hpss COMMAND: MESSAGE` (when given) and the usage line to stderr; the exit status for usage. */
export function usageFailure(command: string, usage: string, message?: string): number {
  process.stderr.write(`${message === undefined ? '' : `hpss ${command}: ${message}\n`}usage: hpss ${usage}\n`);
  return 2;
}

/** `argv` parsed against `options`; null once an unknown or malformed option was reported. */
export function parseCommandArgs<T extends OptionSpec>(command: string, usage: string, argv: string[], options: T): ParsedArgs<T> | null {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    usageFailure(command, usage, errorText(err));
    return null;
  }
}
