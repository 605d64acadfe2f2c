/**
 * What `hpss serve` and `hpss proxy` share: option parsing, the run-until-signal loop,
 * and `ownerHooks`, where other features (`--trace FILE`, `--ssh-listen`, `--inet`) plug
 * in with the parsed options.
 */
import type { PolicySettings } from '../../shared/api';
import type { EngineEvent } from '../../shared/events';
import { EventBus, IdSource } from '../engine/event-bus';
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
  beforeStart?(ctx: OwnerHookContext): Promise<number | null>;
  afterStart?(ctx: OwnerHookContext, owner: RunningOwner): Promise<(() => Promise<void>) | void>;
}

export const ownerHooks: OwnerHook[] = [];

const POLICY_OPTIONS: OptionSpec = {
  listen: { type: 'string' },
  'client-timeout': { type: 'string' },
  'refuse-vfs': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The policy options common to `serve` and `proxy`. */
export function policyFromValues(values: ParsedValues): Partial<PolicySettings> {
  const policy: Partial<PolicySettings> = { refuseVfs: values['refuse-vfs'] === true };
  const timeout = values['client-timeout'];
  if (typeof timeout === 'string') {
    const seconds = Number(timeout);
    if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--client-timeout: '${timeout}' is not a number of seconds ≥ 0`);
    policy.clientTimeoutSec = seconds;
  }
  return policy;
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
    process.stdout.write(`usage: hpss ${usage}\n`);
    return 0;
  }
  const bus = new EventBus();
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

