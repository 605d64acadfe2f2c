/**
 * `hpss`: the engine without a window. Each subcommand lives in its own module under
 * ./commands and registers itself in ./commands/index.ts.
 */
import { COMMANDS } from './commands';
import { errorText } from './args';

function usage(): string {
  const lines = ['usage: hpss COMMAND [ARGS…]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  hpss ${c.usage}`, `      ${c.summary}`);
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`hpss: unknown command '${name}'\n` + usage());
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hpss: ${errorText(err)}\n`);
    process.exitCode = 1;
  },
);
