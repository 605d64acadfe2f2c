/**
 * What `hpss serve` and `hpss proxy` share: option parsing, the run-until-signal loop,
 * and `ownerHooks`, where other features (`--trace FILE`, `--ssh-listen`, `--inet`) plug
 * in with the parsed options.
 */
import { defaultPolicy, InvalidPolicy, policyFromInputs, policyInputs, type PolicySettings } from '../../shared/policies';
import type { EngineEvent } from '../../shared/events';
import { EventBus, HEADLESS_RING_EVENTS, IdSource } from '../bus/event-bus';
import type { RunningOwner } from '../server';
import { errorText, parseCommandArgs, type OptionSpec } from './args';

export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a hook gets: the command, its parsed options, and the engine's bus and ids. */
export interface OwnerHookContext {
  command: 'serve' | 'proxy';
  values: ParsedValues;
  positionals: string[];
  bus: EventBus;
  ids: IdSource;
}

/**
 * A feature that adds options to `serve`/`proxy`. `beforeStart` may take the run over
 * (e.g. `--inet` serves stdin/stdout and returns an exit status) or return null to go on;
 * `afterStart` gets the running owner and returns a cleanup to run after it stops.
 */
export interface OwnerHook {
  options: OptionSpec;
  /** Lines for `--help` about its options for `command` (after the policies'), or null when it has none there. */
  help?: (command: 'serve' | 'proxy') => string | null;
  beforeStart?(ctx: OwnerHookContext): Promise<number | null>;
  afterStart?(ctx: OwnerHookContext, owner: RunningOwner): Promise<(() => Promise<void>) | void>;
}

export const ownerHooks: OwnerHook[] = [];

/** `--listen`, `--help` and one flag per policy input (src/shared/policies: the registry decides). */
const POLICY_OPTIONS: OptionSpec = {
  listen: { type: 'string' },
  'max-connections': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  ...Object.fromEntries(policyInputs().map(({ input }) => [input.flag, input.type === 'boolean' ? { type: 'boolean' } : { type: 'string' }])),
};

/** The policy flags with their help, for `--help`. */
export function policyHelp(): string {
  const lines = policyInputs().map(({ input }) => {
    const flag = `--${input.flag}${input.type === 'boolean' ? '' : ` ${input.type === 'number' ? (input.unit ?? 'N').toUpperCase() : input.type === 'verb' ? 'VERB' : input.type === 'list' ? 'A,B' : 'TEXT'}`}`;
    return `  ${flag.padEnd(30)} ${input.help}`;
  });
  return `policies (any server or proxy; the UI changes them while it runs):\n${lines.join('\n')}\n`;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--max-connections N` (and the like): a whole number ≥ 1, or undefined when not given. */
export function countOption(values: ParsedValues, flag: string): number | undefined {
  const value = values[flag];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${flag}: '${String(value)}' is not a whole number ≥ 1`);
  return Number(value);
}

/** The policy flags given, applied to the defaults through the registry's inputs (a bad value is a usage error). */
export function policyFromValues(values: ParsedValues): PolicySettings {
  const given = new Map<string, string | boolean>();
  for (const { input } of policyInputs()) {
    const value = values[input.flag];
    if (typeof value === 'string' || typeof value === 'boolean') given.set(input.flag, value);
  }
  try {
    return policyFromInputs(defaultPolicy(), given);
  } catch (err) {
    if (err instanceof InvalidPolicy) throw new UsageError(err.message);
    throw err;
  }
}

/** Activity worth a line on stderr while a server or proxy runs. */
function describeEvent(e: EngineEvent): string | null {
  switch (e.type) {
    case 'timeout':
      return `${e.mediumId}: ${e.message}`;
    case 'error':
      return `${e.mediumId ?? 'server'}: ${e.kind} error: ${e.message}`;
    case 'policy-action':
      return `${e.mediumId}: ${e.policy}: ${e.action}${e.verb ? ` (${e.verb}, ${e.retryClass})` : ''}`;
    default:
      return null;
  }
}

/** Parses, runs the hooks, starts the owner, prints its URLs, and stops gracefully on SIGINT/SIGTERM. */
export async function runOwnerCommand(
  command: 'serve' | 'proxy',
  usage: string,
  options: OptionSpec,
  argv: string[],
  start: (values: ParsedValues, positionals: string[], bus: EventBus, ids: IdSource) => Promise<RunningOwner>,
): Promise<number> {
  const spec = Object.assign({}, POLICY_OPTIONS, options, ...ownerHooks.map((h) => h.options)) as OptionSpec;
  const parsed = parseCommandArgs(command, usage, argv, spec);
  if (!parsed) return 2;
  if (parsed.values.help) {
    const hookHelp = ownerHooks.map((h) => h.help?.(command)).flatMap((text) => (text ? [`\n${text}`] : [])).join('');
    process.stdout.write(`usage: hpss ${usage}\n\n${policyHelp()}${hookHelp}`);
    return 0;
  }
  // No UI replays this process's events: keep only a short ring (each event may hold 4 KiB of raw bytes).
  const bus = new EventBus(HEADLESS_RING_EVENTS);
  const ids = new IdSource();
  const ctx: OwnerHookContext = { command, values: parsed.values, positionals: parsed.positionals, bus, ids };
  for (const hook of ownerHooks) {
    const status = await hook.beforeStart?.(ctx);
    if (status !== undefined && status !== null) return status;
  }
  bus.on((e) => {
    const line = describeEvent(e);
    if (line) process.stderr.write(`hpss ${command}: ${line}\n`);
  });
  let owner: RunningOwner;
  try {
    owner = await start(parsed.values, parsed.positionals, bus, ids);
  } catch (err) {
    const message = errorText(err);
    process.stderr.write(`hpss ${command}: ${message}\n${err instanceof UsageError ? `usage: hpss ${usage}\n` : ''}`);
    return err instanceof UsageError ? 2 : 1;
  }
  const cleanups: (() => Promise<void>)[] = [];
  for (const hook of ownerHooks) {
    const cleanup = await hook.afterStart?.(ctx, owner);
    if (cleanup) cleanups.push(cleanup);
  }
  for (const url of owner.urls) process.stdout.write(`listening on ${url}\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await owner.stop();
  for (const cleanup of cleanups) await cleanup();
  return 0;
}

