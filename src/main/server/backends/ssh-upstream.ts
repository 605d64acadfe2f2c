/**
 * A `bzr+ssh://` upstream for the proxy: an SSH session (host key checked against
 * known_hosts) running `REMOTE serve --inet --directory=/ --allow-writes`, as a brz
 * client would. The streams exist at once; bytes queue until the exec channel is up.
 */
import { PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { bzrRemotePath, remoteServeCommand } from '../../medium/ssh/remote-command';
import { execRemote, openSshSession, type SshSession } from '../../medium/ssh/ssh-session';
import { asError } from '../../medium/server-medium';
import type { ConnectionContext } from './backend';
import { StreamUpstream } from './stream-upstream';
import type { UpstreamConnector, UpstreamUrl } from './upstream';

export interface SshUpstreamOptions {
  identity?: string;
  knownHosts?: string;
}

export function sshUpstreamConnector(url: UpstreamUrl, opts: SshUpstreamOptions): UpstreamConnector {
  return (ctx: ConnectionContext) => {
    const requests = new PassThrough({ highWaterMark: 64 * 1024 });
    const responses = new PassThrough({ highWaterMark: 64 * 1024 });
    let session: SshSession | null = null;
    let channel: ClientChannel | null = null;
    let tornDown = false;
    const upstream = new StreamUpstream({
      input: responses,
      output: requests,
      teardown: () => {
        tornDown = true;
        channel?.end();
        session?.client.end();
        session?.socket.destroy();
      },
    });
    const command = remoteServeCommand(bzrRemotePath().path);
    openSshSession({ host: url.host, port: url.port, username: url.user, identityFile: opts.identity, knownHostsFile: opts.knownHosts })
      .then(async (opened) => {
        session = opened;
        if (tornDown) return upstream.close();
        channel = await execRemote(opened, command);
        if (tornDown) return upstream.close();
        let stderr = '';
        channel.stderr.on('data', (data: Buffer) => {
          stderr = (stderr + data.toString('utf8')).slice(-4096);
        });
        channel.on('close', () => {
          const detail = stderr.trim() ? `; remote stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
          upstream.closed(`the SSH channel closed${detail}`);
          opened.client.end();
        });
        requests.pipe(channel);
        channel.pipe(responses);
      })
      .catch((err: unknown) => {
        const message = asError(err).message;
        ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'ssh', message, fatal: true });
        upstream.closed(message);
      });
    return upstream;
  };
}
