/**
 * Adds the embedded SSH server to a running server: the same backend (so both fronts
 * see one set of locks and files), the owner's live policies and its ownerId. The owner that
 * comes back lists both URLs and stops both. Used by `hpss serve --ssh-listen` and by
 * servers started from the UI.
 */
import type { EventBus, IdSource } from '../../bus/event-bus';
import type { RunningOwner } from '../index';
import { startSshFront, type PreparedSshFront, type SshFront, type SshFrontArgs } from './index';

export interface AttachSshOptions {
  bus: EventBus;
  ids: IdSource;
}

/** Starts the SSH front for `owner`; if it cannot listen, stops `owner` too and throws. */
export async function attachSshFront(
  owner: RunningOwner,
  args: SshFrontArgs | PreparedSshFront,
  opts: AttachSshOptions,
): Promise<{ owner: RunningOwner; front: SshFront }> {
  let front: SshFront;
  try {
    front = await startSshFront(args, {
      ownerId: owner.ownerId,
      backend: owner.backend,
      policy: { get: () => owner.policy() },
      bus: opts.bus,
      ids: opts.ids,
    });
  } catch (err) {
    await owner.stop();
    throw err;
  }
  const both: RunningOwner = {
    ...owner,
    urls: [...owner.urls, front.listener.url],
    description: `${owner.description}; ssh host key ${front.hostKey.fingerprint}`,
    stop: async () => {
      await front.listener.close();
      await owner.stop();
    },
  };
  return { owner: both, front };
}
