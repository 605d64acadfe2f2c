/**
 * Hooks a smart client runs: `call` hooks before each request is sent (Breezy's
 * `_SmartClient.hooks['call']`: they see the method, args, body and medium, and refuse a call by
 * throwing), and `post_connect` hooks after each connection a medium makes (Breezy's
 * `Transport.hooks['post_connect']`). A ClientHooks is passed explicitly, not global.
 */
import type { BValue } from '../../shared/protocol';
import type { ClientMedium, PostConnectHook } from '../medium/client-medium';

export interface CallHookParams {
  method: string;
  args: readonly BValue[];
  body: Uint8Array | null;
  readvBody: ReadonlyArray<readonly [number, number]> | null;
  medium: ClientMedium;
}

export type CallHook = (params: CallHookParams) => void;

export class ClientHooks {
  readonly call: CallHook[] = [];
  /** Give this list to a medium's `postConnect` option. */
  readonly postConnect: PostConnectHook[] = [];

  /** Installs a call hook; returns its removal. */
  onCall(hook: CallHook): () => void {
    this.call.push(hook);
    return () => remove(this.call, hook);
  }

  onPostConnect(hook: PostConnectHook): () => void {
    this.postConnect.push(hook);
    return () => remove(this.postConnect, hook);
  }
}

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
