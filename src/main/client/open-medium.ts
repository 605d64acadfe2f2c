/** The client medium a smart URL calls for, with the options `hpss call`/`probe`/`proxy` take. */
import type { EventBus, IdSource } from '../bus/event-bus';
import type { ClientMedium, PostConnectHook } from '../medium/client-medium';
import { SshClientMedium } from '../medium/ssh-client-medium';
import type { SshTrustOptions } from '../medium/ssh/ssh-session';
import type { ConnectStepListener } from '../medium/tcp-client-connect';
import { TcpClientMedium } from '../medium/tcp-client-medium';
import type { SmartUrl } from './smart-url';

export interface MediumOptions extends SshTrustOptions {
  bus: EventBus;
  ids: IdSource;
  /** The remote brz/bzr for bzr+ssh; default `BZR_REMOTE_PATH`, else `bzr`. */
  remotePath?: string;
  onStep?: ConnectStepListener;
  postConnect?: readonly PostConnectHook[];
}

export function openMedium(url: SmartUrl, opts: MediumOptions): ClientMedium {
  const common = { bus: opts.bus, ids: opts.ids, onStep: opts.onStep, postConnect: opts.postConnect };
  if (url.scheme === 'bzr') return new TcpClientMedium({ ...common, host: url.host, port: url.port });
  return new SshClientMedium({
    ...common,
    host: url.host,
    port: url.port,
    username: url.username,
    password: url.password,
    identityFile: opts.identityFile,
    passphrase: opts.passphrase,
    knownHostsFile: opts.knownHostsFile,
    acceptNewHostKey: opts.acceptNewHostKey,
    remotePath: opts.remotePath,
  });
}
