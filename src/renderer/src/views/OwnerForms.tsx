/** Forms that start a server (a backend from the engine's registry, TCP and optional SSH) or a proxy. */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Backend, OwnerInfo } from '../../../shared/api';
import { parseUnknownHostKey } from '../../../shared/host-key-offer';
import { api, hintFor } from '../api/api';
import { startOwner } from '../lib/owner-setup';
import { dispatch } from '../store/store';
import { BackendSelect } from './BackendSelect';
import { Button, Checkbox, TextField } from './controls';
import { HostKeyPrompt, SshSettingsBlock } from './ssh/SshSettings';
import { isSshUrl, sshTrustArgs } from './ssh/ssh-settings';
import { useBusy } from './useBusy';

function optional(v: string): string | undefined {
  return v.trim() === '' ? undefined : v.trim();
}

interface StartFormProps {
  what: 'server' | 'proxy';
  /** Starts the owner; null when it failed (`call` has shown why). */
  start: () => Promise<OwnerInfo | null>;
  /** The notice's text once it runs. */
  started: (owner: OwnerInfo) => string;
  children: ReactNode;
}

/** A form that starts a server or a proxy: the owner it starts is listed and announced. */
function StartForm({ what, start, started, children }: StartFormProps) {
  const [busy, run] = useBusy();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const owner = await start();
      if (owner) {
        dispatch({ type: 'owner-updated', owner });
        dispatch({ type: 'notice', notice: { level: 'info', title: what === 'server' ? 'Server started' : 'Proxy started', message: started(owner) } });
      }
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`Start a ${what}`}>
      {children}
      <Button type="submit" kind="primary" busy={busy}>
        {busy ? 'Starting…' : `Start ${what}`}
      </Button>
    </form>
  );
}

export function ServerForm() {
  const [backend, setBackend] = useState<Backend | null>(null);
  const [dir, setDir] = useState('');
  const [listen, setListen] = useState('127.0.0.1:0');
  const [allowWrites, setAllowWrites] = useState(false);
  const [ssh, setSsh] = useState(false);
  const [sshListen, setSshListen] = useState('127.0.0.1:0');
  const [authorizedKeys, setAuthorizedKeys] = useState('');
  const [hostKey, setHostKey] = useState('');
  // Until the engine has listed its backends there is nothing to start on.
  const start = async () =>
    backend &&
    startOwner({ kind: 'server', args: {
      backend,
      dir: dir.trim(),
      listen: listen.trim(),
      allowWrites,
      ssh: ssh ? { listen: sshListen.trim(), authorizedKeys: authorizedKeys.trim(), ...(optional(hostKey) && { hostKey: optional(hostKey) }) } : null,
    } });
  return (
    <StartForm what="server" start={start} started={(owner) => owner.urls.join('  ')}>
      <BackendSelect value={backend} onChange={setBackend} />
      <TextField label="Directory" name="dir" value={dir} onChange={setDir} placeholder="/srv/bzr" required />
      <TextField label="Listen" name="listen" value={listen} onChange={setListen} hint="HOST:PORT — port 0 picks a free one" />
      <Checkbox label="Allow writes" checked={allowWrites} onChange={setAllowWrites} />
      <Checkbox label="Also serve bzr+ssh://" checked={ssh} onChange={setSsh} />
      {ssh && (
        <>
          <TextField label="SSH listen" value={sshListen} onChange={setSshListen} />
          <TextField label="Authorized keys file" value={authorizedKeys} onChange={setAuthorizedKeys} placeholder="~/.ssh/authorized_keys" required />
          <TextField label="Host key file" value={hostKey} onChange={setHostKey} placeholder="made once and kept when empty" />
        </>
      )}
    </StartForm>
  );
}

export function ProxyForm() {
  const [upstream, setUpstream] = useState('');
  const [listen, setListen] = useState('127.0.0.1:0');
  const [hostKeyProblem, setHostKeyProblem] = useState<string | null>(null);
  /** The fingerprint the user chose to trust, for the submit the prompt's button makes. */
  const trusted = useRef<string | undefined>(undefined);
  const start = async () => {
    const target = upstream.trim();
    const acceptNewHostKey = trusted.current;
    trusted.current = undefined;
    setHostKeyProblem(null);
    if (isSshUrl(target)) {
      // The proxy logs in upstream per client, where nobody could answer a host key
      // question: settle it now with one call, and show an unknown key's fingerprint.
      const check = await api.invoke('ui:call:send', { url: target, verb: 'hello', args: [], ...sshTrustArgs(target, acceptNewHostKey) });
      if (!check.ok && parseUnknownHostKey(check.error.message)) {
        setHostKeyProblem(check.error.message);
        return null;
      }
      // Other trouble (a refused key, a passphrase, a changed host key) would fail every relayed
      // connection: say so now; the proxy still starts, as the upstream may come right later.
      if (!check.ok) dispatch({ type: 'notice', notice: { level: 'error', title: 'The upstream check failed (the proxy starts anyway)', message: check.error.message, hint: hintFor(check.error) } });
    }
    return startOwner({ kind: 'proxy', args: { upstream: target, listen: listen.trim(), ...sshTrustArgs(target) } });
  };
  return (
    <StartForm what="proxy" start={start} started={(owner) => `point brz at ${owner.urls.join('  ')}`}>
      <TextField label="Upstream URL" name="upstream" value={upstream} onChange={setUpstream} placeholder="bzr://host:4155/ or bzr+ssh://user@host/" required />
      <TextField label="Listen" name="proxy-listen" value={listen} onChange={setListen} hint="HOST:PORT — port 0 picks a free one" />
      <SshSettingsBlock url={upstream} />
      <HostKeyPrompt text={hostKeyProblem} submits onTrust={(fp) => (trusted.current = fp)} />
    </StartForm>
  );
}
