/** Forms that start a server (a backend from the engine's registry, TCP and optional SSH) or a proxy. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Backend, OwnerInfo } from '../../../shared/api';
import { startOwner } from '../lib/owner-setup';
import { dispatch } from '../store/store';
import { BackendSelect } from './BackendSelect';
import { Button, Checkbox, TextField } from './controls';
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
  const [identity, setIdentity] = useState('');
  const [knownHosts, setKnownHosts] = useState('');
  const isSsh = upstream.startsWith('bzr+ssh://');
  const start = () =>
    startOwner({ kind: 'proxy', args: {
      upstream: upstream.trim(),
      listen: listen.trim(),
      identity: isSsh ? optional(identity) : undefined,
      knownHosts: isSsh ? optional(knownHosts) : undefined,
    } });
  return (
    <StartForm what="proxy" start={start} started={(owner) => `point brz at ${owner.urls.join('  ')}`}>
      <TextField label="Upstream URL" name="upstream" value={upstream} onChange={setUpstream} placeholder="bzr://host:4155/ or bzr+ssh://user@host/" required />
      <TextField label="Listen" name="proxy-listen" value={listen} onChange={setListen} hint="HOST:PORT — port 0 picks a free one" />
      {isSsh && (
        <>
          <TextField label="Identity file" value={identity} onChange={setIdentity} placeholder="~/.ssh/id_ed25519 (default: agent)" />
          <TextField label="known_hosts file" value={knownHosts} onChange={setKnownHosts} placeholder="~/.ssh/known_hosts" />
        </>
      )}
    </StartForm>
  );
}
