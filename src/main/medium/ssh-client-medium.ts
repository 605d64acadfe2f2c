/**
 * A client medium over an SSH exec channel running the remote smart server (Breezy's
 * SmartSSHClientMedium, with ssh2 in place of an ssh subprocess). The remote's stderr is kept:
 * when the server does not answer, it is what explains why (`bzr: command not found`).
 */
import type { ClientChannel } from 'ssh2';
import { ClientMedium, type ClientMediumOptions, type OpenedStreams } from './client-medium';
import { StderrTail, describeExit } from './client-stderr-tail';
import { bzrRemotePath, remoteServeCommand } from './ssh/remote-command';
import { formatHostPort, SSH_DEFAULT_PORT } from '../../shared/host-port';
import { execRemote, openSshSession, type SshParams } from './ssh/ssh-session';
import { bothListeners, reportStep, type ConnectStepListener } from './tcp-client-connect';

export interface SshClientMediumOptions extends ClientMediumOptions, SshParams {
  /** The remote brz/bzr; default `BZR_REMOTE_PATH`, else `bzr`. */
  remotePath?: string;
  /** Told about each connection step (resolve, TCP, handshake, host key, auth, remote command). */
  onStep?: ConnectStepListener;
}

export class SshClientMedium extends ClientMedium {
  readonly kind = 'ssh-client' as const;
  readonly remoteCommand: string;
  private readonly params: SshParams;
  private readonly onStep: ConnectStepListener;

  constructor(opts: SshClientMediumOptions) {
    super(opts);
    this.params = opts;
    this.onStep = opts.onStep ?? (() => undefined);
    this.remoteCommand = remoteServeCommand(bzrRemotePath(opts.remotePath).path);
  }

  protected async open(onSetupStep: ConnectStepListener): Promise<OpenedStreams> {
    const onStep = bothListeners(this.onStep, onSetupStep);
    const session = await openSshSession(this.params, onStep);
    let channel: ClientChannel;
    try {
      channel = await reportStep(onStep, 'remote-command', () => execRemote(session, this.remoteCommand), () => `started '${this.remoteCommand}'`);
    } catch (err) {
      session.client.end();
      throw err;
    }
    const stderr = new StderrTail();
    let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
    channel.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
    channel.on('exit', (code: number | null, signal?: string) => {
      exit = { code: code ?? null, signal: signal ?? null };
    });
    return {
      input: channel,
      output: channel,
      peer: `${session.username}@${session.peer}`,
      close: () => {
        channel.end();
        session.client.end();
      },
      explainEnd: () => describeExit(exit.code, exit.signal, stderr.text()),
      settled: () => closed,
    };
  }

  protected override connectTarget(): string {
    const user = this.params.username ? `${this.params.username}@` : '';
    return `${user}${formatHostPort(this.params.host, this.params.port ?? SSH_DEFAULT_PORT)}`;
  }

  describe(): string {
    const port = this.params.port !== undefined && this.params.port !== SSH_DEFAULT_PORT ? `:${this.params.port}` : '';
    const user = this.params.username ? `${this.params.username}@` : '';
    return `SshClientMedium(bzr+ssh://${user}${this.params.host}${port}/)`;
  }
}
