/**
 * A client medium over an SSH exec channel running the remote smart server (Breezy's
 * SmartSSHClientMedium, with ssh2 in place of an ssh subprocess). The remote's stderr is kept:
 * when the server does not answer, it is what explains why (`bzr: command not found`).
 */
import type { ClientChannel } from 'ssh2';
import { ClientMedium, type ClientMediumOptions, type OpenedStreams } from './client-medium';
import { StderrTail, describeExit } from './client-stderr-tail';
import { bzrRemotePath, remoteServeCommand } from './ssh/remote-command';
import { execRemote, openSshSession, SSH_DEFAULT_PORT, type SshParams, type SshStepListener } from './ssh/ssh-session';

export interface SshClientMediumOptions extends ClientMediumOptions, SshParams {
  /** The remote brz/bzr; default `BZR_REMOTE_PATH`, else `bzr`. */
  remotePath?: string;
  /** Told about each connection step (resolve, TCP, handshake, host key, auth, remote command). */
  onStep?: SshStepListener;
}

export class SshClientMedium extends ClientMedium {
  readonly kind = 'ssh-client' as const;
  readonly remoteCommand: string;
  private readonly params: SshParams;
  private readonly onStep: SshStepListener | undefined;

  constructor(opts: SshClientMediumOptions) {
    super(opts);
    this.params = opts;
    this.onStep = opts.onStep;
    this.remoteCommand = remoteServeCommand(bzrRemotePath(opts.remotePath).path);
  }

  protected async open(): Promise<OpenedStreams> {
    const session = await openSshSession(this.params, this.onStep);
    let channel: ClientChannel;
    const started = performance.now();
    try {
      channel = await execRemote(session, this.remoteCommand);
    } catch (err) {
      this.onStep?.({ step: 'remote-command', ok: false, ms: performance.now() - started, detail: err instanceof Error ? err.message : String(err) });
      session.client.end();
      throw err;
    }
    this.onStep?.({ step: 'remote-command', ok: true, ms: performance.now() - started, detail: `started '${this.remoteCommand}'` });
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

  describe(): string {
    const port = this.params.port !== undefined && this.params.port !== SSH_DEFAULT_PORT ? `:${this.params.port}` : '';
    const user = this.params.username ? `${this.params.username}@` : '';
    return `SshClientMedium(bzr+ssh://${user}${this.params.host}${port}/)`;
  }
}
