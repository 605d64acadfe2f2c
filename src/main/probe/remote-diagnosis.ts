/**
 * Explains what came back (or did not) when we said `hello`: bytes before the protocol marker
 * (a remote shell printing on stdout), a server that exited (`bzr: command not found`, a
 * Python traceback), something that is not a smart server at all, or an old server that
 * answered a v3 request in v1.
 */
import { MESSAGE_VERSION_THREE } from '../../shared/protocol';
import { toHex, utf8OrNull } from '../../shared/protocol/text';

export interface HelloFailure {
  verdict: string;
  fix: string;
}

/** Where the v3 marker starts in the bytes, or -1. */
export function markerOffset(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(Buffer.from(MESSAGE_VERSION_THREE));
}

/** An old server's v1 answer to a v3 request it could not parse: `error\x01…bad request 'bzr message 3…'`. */
export function isV1BadRequest(bytes: Uint8Array): boolean {
  return Buffer.from(bytes).toString('latin1').startsWith('error\x01');
}

/** The bytes as a JSON string (control characters escaped) when they are UTF-8, and as hex. */
export function showBytes(bytes: Uint8Array, max = 200): string {
  const cut = bytes.subarray(0, max);
  const text = utf8OrNull(cut);
  const more = bytes.length > max ? ` … (${bytes.length} bytes)` : '';
  return `${text !== null ? JSON.stringify(text) : `(not text)`} hex ${toHex(cut)}${more}`;
}

export function preMarkerFailure(junk: Uint8Array, ssh: boolean): HelloFailure {
  return {
    verdict: `${junk.length} bytes arrived before the protocol marker: ${showBytes(junk)}${ssh ? ' — the remote shell prints on stdout before the server starts' : ''}`,
    fix: ssh
      ? 'make the remote login shell silent for non-interactive sessions (e.g. in ~/.bashrc, return early when $PS1 is empty, and move echo/banner commands to ~/.bash_profile)'
      : 'something in front of the server writes first; connect to the smart server directly',
  };
}

export function remoteEndedFailure(explanation: string, remoteCommand: string, remoteSource: string): HelloFailure {
  const notFound = /command not found|not found|No such file or directory/i.test(explanation);
  if (notFound) {
    return {
      verdict: `the remote command did not start: ${explanation}`,
      fix: `install Breezy on the server, or point BZR_REMOTE_PATH at it (we ran '${remoteCommand}', its name from ${remoteSource}; e.g. BZR_REMOTE_PATH=brz or BZR_REMOTE_PATH=/usr/bin/brz)`,
    };
  }
  if (/Traceback|Error:/.test(explanation)) {
    return { verdict: `the remote server crashed: ${explanation}`, fix: 'run the same command on the server by hand to see the full error, and fix its Breezy installation' };
  }
  return {
    verdict: `the server closed the connection without answering${explanation ? `: ${explanation}` : ''}`,
    fix: remoteCommand ? `run '${remoteCommand}' on the server by hand to see why it exits` : 'check the server log; is it a Bazaar smart server?',
  };
}

export function notSmartServerFailure(bytes: Uint8Array, where: string): HelloFailure {
  const ssh = Buffer.from(bytes).toString('latin1').startsWith('SSH-');
  return {
    verdict: `${where} is not a Bazaar smart server: it answered ${showBytes(bytes)}`,
    fix: ssh ? 'this is an SSH server: use a bzr+ssh:// URL' : 'check the port: bzr:// defaults to 4155, where `brz serve` listens',
  };
}
