/**
 * The Engine facade: every command of the UI contract, validated, then carried out by
 * the engine modules. Both shells (Electron IPC, browser HTTP) call `invoke` with the
 * untrusted name and arguments they received; it never throws, it answers a Result.
 */
import type { ApiError, CommandArgs, CommandName, CommandResult, OwnerInfo, Result } from '../../shared/api';
import { validateArgs } from '../../shared/api-validate';
import type { EngineEvent } from '../../shared/events';
import { redactUrlSecrets } from '../../shared/redact';
import type { ClientOptions, EngineBackends, RunningOwner } from './backends';
import { EventBus, IdSource } from '../bus/event-bus';
import { checkServerDir } from './server-dir';

type Handlers = { [C in CommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> };

/** A failure with a stable code, raised by a handler and answered as `{ ok: false }`. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function ownerInfo(owner: RunningOwner): OwnerInfo {
  return { ownerId: owner.ownerId, kind: owner.kind, urls: owner.urls, description: owner.description, policy: owner.policy(), ...(owner.ssh && { ssh: owner.ssh }) };
}

/** Engine error classes whose meaning the UI acts on, by name (no import cycle into every module). */
const CODE_BY_ERROR_NAME: Record<string, string> = {
  ListenAddressError: 'invalid-argument',
  BackendUnavailableError: 'unavailable',
  InvalidPolicy: 'invalid-argument',
  ServerDirError: 'bad-directory',
};

/** HpssError codes that mean something more specific to the UI than their kind. */
const CODE_BY_HPSS_CODE: Record<string, string> = {
  'vfs-not-allowed': 'vfs-refused',
  'bad-url': 'invalid-argument',
  'unsupported-scheme': 'invalid-argument',
};

/** Maps anything a module threw to an ApiError with a code the UI can act on. */
export function toApiError(command: CommandName, err: unknown): ApiError {
  const message = redactUrlSecrets(err instanceof Error ? err.message : String(err));
  const fields = typeof err === 'object' && err !== null ? (err as { code?: unknown; kind?: unknown }) : {};
  if (err instanceof CommandError) return { code: err.code, message };
  const name = err instanceof Error ? err.name : '';
  if (name in CODE_BY_ERROR_NAME) return { code: CODE_BY_ERROR_NAME[name], message };
  // The listener reports bind failures as "cannot listen on HOST:PORT: <errno text>".
  if (['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(String(fields.code)) || /^cannot listen on /.test(message)) {
    return { code: 'listen-failed', message };
  }
  if (typeof fields.code === 'string' && fields.code in CODE_BY_HPSS_CODE) return { code: CODE_BY_HPSS_CODE[fields.code], message };
  if (typeof fields.kind === 'string') return { code: fields.kind, message };
  if (typeof fields.code === 'string' && !fields.code.startsWith('E')) return { code: fields.code, message };
  return { code: 'internal', message: `${command} failed: ${message}` };
}

export class Engine {
  private readonly owners = new Map<string, RunningOwner>();
  private readonly client: ClientOptions = { refuseVfs: false };
  private readonly handlers: Handlers;

  constructor(
    private readonly backends: EngineBackends,
    readonly bus: EventBus = new EventBus(),
    readonly ids: IdSource = new IdSource(),
  ) {
    this.handlers = {
      'ui:owners:list': async () => [...this.owners.values()].map(ownerInfo),
      'ui:backends:list': async () => this.backends.listBackends(),
      'ui:server:start': async (args) => {
        checkServerDir(args.dir);
        return this.adopt(await this.backends.startServer(args, this.bus, this.ids));
      },
      'ui:proxy:start': async (args) => this.adopt(await this.backends.startProxy(args, this.bus, this.ids)),
      'ui:owner:stop': async ({ ownerId }) => {
        const owner = this.owner(ownerId);
        this.owners.delete(ownerId);
        await owner.stop();
        return null;
      },
      'ui:policy:set': async ({ ownerId, policy }) => {
        const owner = this.owner(ownerId);
        owner.setPolicy(policy);
        return ownerInfo(owner);
      },
      'ui:client:state': async () => ({ refuseVfs: this.client.refuseVfs }),
      'ui:client:refuse-vfs': async ({ enabled }) => {
        this.client.refuseVfs = enabled;
        return { enabled };
      },
      'ui:probe:start': async (args) => {
        const probeId = this.ids.take('probe');
        // The probe reports through events; its promise only matters if it breaks.
        this.backends.probe(args, probeId, { ...this.client }, this.bus, this.ids).catch((err: unknown) => {
          const { message } = toApiError('ui:probe:start', err);
          this.bus.emit({ type: 'probe-verdict', probeId, ok: false, verdict: `the probe stopped: ${message}` });
        });
        return { probeId };
      },
      'ui:call:send': (args) => this.backends.call(args, { ...this.client }, this.bus, this.ids),
      'ui:events:replay': async () => this.bus.recent(),
    };
  }

  /** Validates and runs one command. Never throws. */
  async invoke(command: unknown, args: unknown): Promise<Result<unknown>> {
    const checked = validateArgs(command, args);
    if (!checked.ok) return checked;
    const name = command as CommandName;
    try {
      const handler = this.handlers[name] as (a: unknown) => Promise<unknown>;
      return { ok: true, data: await handler(checked.data) };
    } catch (err) {
      return { ok: false, error: toApiError(name, err) };
    }
  }

  /** Typed convenience for in-process callers (tests, the CLI). */
  run<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<Result<CommandResult<C>>> {
    return this.invoke(command, args) as Promise<Result<CommandResult<C>>>;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    return this.bus.on(listener);
  }

  /** Stops every server and proxy; used when the window or the browser shell closes. */
  async shutdown(): Promise<void> {
    const owners = [...this.owners.values()];
    this.owners.clear();
    await Promise.allSettled(owners.map((o) => o.stop()));
  }

  private adopt(owner: RunningOwner): OwnerInfo {
    this.owners.set(owner.ownerId, owner);
    return ownerInfo(owner);
  }

  private owner(ownerId: string): RunningOwner {
    const owner = this.owners.get(ownerId);
    if (!owner) throw new CommandError('not-found', `no server or proxy '${ownerId}' is running — refresh the list`);
    return owner;
  }
}
