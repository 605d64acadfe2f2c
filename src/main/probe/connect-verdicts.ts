/** A plain verdict and the likely fix for a connection that failed before any HPSS byte. */
import { HpssError } from '../../shared/protocol';
import type { SmartUrl } from '../client/smart-url';
import { removeKnownHostCommand } from '../medium/ssh/known-hosts';
import type { HelloFailure } from './remote-diagnosis';

export interface ConnectContext {
  url: SmartUrl;
  knownHostsFile: string;
  identityFile?: string;
}

export function connectFailure(err: unknown, ctx: ConnectContext): HelloFailure {
  const { url } = ctx;
  const where = `${url.host}:${url.port}`;
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof HpssError ? err.code : '';
  const ssh = url.scheme === 'bzr+ssh';
  switch (code) {
    case 'lookup-failed':
      return { verdict: `the name ${url.host} does not resolve (${message})`, fix: `check the host name (try: getent hosts ${url.host})` };
    case 'connect-failed':
      if (/refused/i.test(message)) {
        return {
          verdict: `nothing is listening on ${where} (${message})`,
          fix: ssh
            ? `check the port (ssh defaults to 22) and that sshd runs on ${url.host}`
            : `wrong port or no server: bzr:// defaults to 4155; start one with \`brz serve --port ${url.port}\` on ${url.host}`,
        };
      }
      return { verdict: `could not reach ${where} (${message})`, fix: 'check the address, the port and any firewall in between' };
    case 'ssh-handshake-failed':
      return { verdict: `${where} did not complete an SSH handshake (${message})`, fix: 'is this an SSH server? check the port (ssh defaults to 22)' };
    case 'host-key-unknown':
      return {
        verdict: `the server's host key is not known: ${message}`,
        fix: `check the fingerprint with the server's admin, then accept it: --accept-new-host-key (or "Trust this key" in the app) writes it to ${ctx.knownHostsFile}`,
      };
    case 'host-key-changed':
      return {
        verdict: `the server's host key has CHANGED: ${message}. Someone may be intercepting the connection, or the server was reinstalled`,
        fix: `confirm the new key with the server's admin, then remove the old one: ${removeKnownHostCommand(url.host, url.port, ctx.knownHostsFile)}`,
      };
    case 'host-key-revoked':
      return { verdict: `the server's host key is revoked: ${message}`, fix: 'do not connect; ask the server admin' };
    case 'auth-failed':
      return {
        verdict: `the server refused our key: ${message}`,
        fix: `add your public key (${ctx.identityFile ? `${ctx.identityFile}.pub` : 'e.g. ~/.ssh/id_ed25519.pub'}) to ~/.ssh/authorized_keys of ${url.username ?? 'the user'} on ${url.host}, pass the right key with --identity FILE, or check the user name in the URL`,
      };
    case 'key-passphrase':
      return {
        verdict: message,
        fix: 'give the key passphrase: --passphrase-env VAR (the variable holding it), type it when hpss asks on a terminal, or fill "Key passphrase" in the app',
      };
    case 'identity-unusable':
      return { verdict: message, fix: 'pass a private key file (not the .pub) with --identity FILE' };
    case 'known-hosts-unwritable':
      return { verdict: message, fix: 'check that the known_hosts file and its folder are writable, or pass another one with --known-hosts FILE' };
    case 'no-credentials':
      return { verdict: message, fix: 'pass a private key with --identity FILE, or start ssh-agent and ssh-add your key' };
    case 'ssh-timeout':
      return { verdict: `the SSH server did not finish the login in time (${message})`, fix: 'check the network and the server load' };
    case 'exec-failed':
      return { verdict: message, fix: 'the account may be restricted (ForceCommand, a restricted shell): ask the admin to allow the bzr serve command' };
    default:
      return { verdict: message, fix: 'see the step that failed above' };
  }
}
