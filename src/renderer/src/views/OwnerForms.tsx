/** Forms that start a server (breezy or builtin backend, TCP and optional SSH) or a proxy. */
import { useState, type FormEvent } from 'react';
import type { Backend } from '../../../shared/api';
import { call } from '../api/api';
import { dispatch } from '../store/store';
import { Button, Checkbox, TextField } from './controls';
import { useBusy } from './useBusy';

function optional(v: string): string | undefined {
  return v.trim() === '' ? undefined : v.trim();
}

export function ServerForm() {
  const [backend, setBackend] = useState<Backend>('breezy');
  const [dir, setDir] = useState('');
  const [listen, setListen] = useState('127.0.0.1:0');
  const [allowWrites, setAllowWrites] = useState(false);
  const [ssh, setSsh] = useState(false);
  const [sshListen, setSshListen] = useState('127.0.0.1:0');
  const [authorizedKeys, setAuthorizedKeys] = useState('');
  const [hostKey, setHostKey] = useState('');
  const [busy, run] = useBusy();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const owner = await call('Starting the server', 'ui:server:start', {
        backend,
        dir: dir.trim(),
        listen: listen.trim(),
        allowWrites,
        ssh: ssh ? { listen: sshListen.trim(), authorizedKeys: authorizedKeys.trim(), ...(optional(hostKey) && { hostKey: optional(hostKey) }) } : null,
      });
      if (owner) {
        dispatch({ type: 'owner-updated', owner });
        dispatch({ type: 'notice', notice: { level: 'info', title: 'Server started', message: owner.urls.join('  ') } });
      }
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Start a server">
      <div className="field">
        <label htmlFor="server-backend">Backend</label>
        <select id="server-backend" value={backend} onChange={(e) => setBackend(e.target.value as Backend)}>
          <option value="breezy">breezy (relays to brz serve)</option>
          <option value="builtin">builtin</option>
        </select>
      </div>
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
      <Button type="submit" kind="primary" busy={busy}>
        {busy ? 'Starting…' : 'Start server'}
      </Button>
    </form>
  );
}

export function ProxyForm() {
  const [upstream, setUpstream] = useState('');
  const [listen, setListen] = useState('127.0.0.1:0');
  const [identity, setIdentity] = useState('');
  const [knownHosts, setKnownHosts] = useState('');
  const [busy, run] = useBusy();
  const isSsh = upstream.startsWith('bzr+ssh://');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const owner = await call('Starting the proxy', 'ui:proxy:start', {
        upstream: upstream.trim(),
        listen: listen.trim(),
        identity: isSsh ? optional(identity) : undefined,
        knownHosts: isSsh ? optional(knownHosts) : undefined,
      });
      if (owner) {
        dispatch({ type: 'owner-updated', owner });
        dispatch({ type: 'notice', notice: { level: 'info', title: 'Proxy started', message: `point brz at ${owner.urls.join('  ')}` } });
      }
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Start a proxy">
      <TextField label="Upstream URL" name="upstream" value={upstream} onChange={setUpstream} placeholder="bzr://host:4155/ or bzr+ssh://user@host/" required />
      <TextField label="Listen" name="proxy-listen" value={listen} onChange={setListen} hint="HOST:PORT — port 0 picks a free one" />
      {isSsh && (
        <>
          <TextField label="Identity file" value={identity} onChange={setIdentity} placeholder="~/.ssh/id_ed25519 (default: agent)" />
          <TextField label="known_hosts file" value={knownHosts} onChange={setKnownHosts} placeholder="~/.ssh/known_hosts" />
        </>
      )}
      <Button type="submit" kind="primary" busy={busy}>
        {busy ? 'Starting…' : 'Start proxy'}
      </Button>
    </form>
  );
}
