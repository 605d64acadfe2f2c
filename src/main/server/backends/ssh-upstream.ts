/**
 * A `bzr+ssh://` upstream for the proxy: an SSH session (host key checked against
 * known_hosts) running `REMOTE serve --inet --directory=/ --allow-writes`, as a brz
 * client would. The streams exist at once; bytes queue until the exec channel is up.
 */
import type { ClientChannel } from 'ssh2';
import type { SshTrustArgs } from '../../../shared/api';
import { bzrRemotePath, remoteServeCommand } from '../../medium/ssh/remote-command';
import { execRemote, openSshSession, type SshSession } from '../../medium/ssh/ssh-session';
import { reportStep } from '../../medium/tcp-client-connect';
import type { ConnectionContext } from './backend';
import { StreamUpstream } from './stream-upstream';
import type { UpstreamConnector } from './relay';
import type { UpstreamUrl } from './upstream';

export type SshUpstreamOptions = Pick<SshTrustArgs, 'identity' | 'knownHosts' | 'passphrase' | 'acceptNewHostKey'>;

export function sshUpstreamConnector(url: UpstreamUrl, opts: SshUpstreamOptions): UpstreamConnector {
  return (ctx: ConnectionContext) => {
    const upstream = new StreamUpstream();
    const command = remoteServeCommand(bzrRemotePath().path);
    let session: SshSession | null = null;
    const open = async (): Promise<void> => {
      session = await openSshSession({
        host: url.host,
        port: url.port,
        username: url.user,
        identityFile: opts.identity,
        passphrase: opts.passphrase,
        knownHostsFile: opts.knownHosts,
        acceptNewHostKey: opts.acceptNewHostKey,
      }, upstream.setup.onStep);
      const opened = session;
      const channel: ClientChannel = await reportStep(upstream.setup.onStep, 'remote-command', () => execRemote(opened, command), () => `started '${command}'`);
      const client = session.client;
      let stderr = '';
      channel.stderr.on('data', (data: Buffer) => {
        stderr = (stderr + data.toString('utf8')).slice(-4096);
      });
      channel.on('close', () => {
        const detail = stderr.trim() ? `; remote stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
        upstream.closed(`the SSH channel closed${detail}`);
        client.end();
      });
      upstream.attach({
        input: channel,
        output: channel,
        teardown: () => {
          channel.end();
          client.end();
        },
        // The channel's close says more than its end of stream: the remote's stderr.
        ownerReportsClose: true,
      });
    };
    open().catch((err: unknown) => {
      session?.client.end();
      const message = err instanceof Error ? err.message : String(err);
      ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'ssh', message: `upstream: ${message}`, fatal: true });
      upstream.closed(message);
    });
    return upstream;
  };
}
