/**
 * Running servers and proxies: their URLs, their last trouble (a proxy whose upstream
 * fails turns red, one whose calls fail amber), the faults applied as chips, the
 * VFS-refuser switch, and stop.
 */
import type { OwnerInfo } from '../../../shared/api';
import { call, run as runCommand } from '../api/api';
import { faultChips } from '../../../shared/policies';
import { savedSetup, saveSetup, startOwner } from '../lib/owner-setup';
import { formatTime } from '../lib/format';
import { dispatch, useApp } from '../store/store';
import { Badge, Button, CopyButton, Switch } from './controls';
import { PolicyEditor } from './PolicyEditor';
import { SshServerTrust } from './ssh/SshServerTrust';
import { useBusy } from './useBusy';

/** A brz command to point at a served or proxied URL (a branch under it is the user's to name). */
function exampleCommand(url: string): string {
  return `brz log ${url}BRANCH`;
}

function OwnerCard({ owner }: { owner: OwnerInfo }) {
  const listener = useApp((s) => s.owners.listener[owner.ownerId]);
  const trouble = useApp((s) => s.owners.trouble[owner.ownerId]);
  const chips = faultChips(owner.policy);
  const [busy, run] = useBusy();
  const setRefuse = (refuseVfs: boolean) =>
    run(async () => {
      const updated = await call(`Switching VFS refusal for ${owner.ownerId}`, 'ui:policy:set', { ownerId: owner.ownerId, policy: { refuseVfs } });
      if (updated) dispatch({ type: 'owner-updated', owner: updated });
    });
  const stop = () =>
    run(async () => {
      const done = await runCommand(`Stopping ${owner.kind} ${owner.ownerId}`, 'ui:owner:stop', { ownerId: owner.ownerId });
      // Gone either way: stopped now, or no longer known to the engine (not-found).
      if (done.ok || done.error.code === 'not-found') dispatch({ type: 'owner-removed', ownerId: owner.ownerId });
    });
  const state = listener?.state ?? 'listening';
  return (
    <div className={`owner-card${trouble ? ` trouble-${trouble.level}` : ''}`} data-testid={`owner-${owner.ownerId}`} data-trouble={trouble?.level ?? 'none'}>
      <div className="owner-head">
        <Badge tone="info">{owner.kind}</Badge>
        <span className="owner-id">{owner.ownerId}</span>
        <Badge tone={state === 'listening' ? 'ok' : state === 'failed' ? 'bad' : 'muted'} title={listener?.message}>
          {state}
        </Badge>
      </div>
      <div className="owner-desc">{owner.description}</div>
      {trouble && (
        <div className={`owner-trouble tone-${trouble.level}`} data-testid="owner-trouble">
          <strong>{trouble.level === 'bad' ? 'Upstream failing' : 'Calls failing'}</strong> ({trouble.failures}) · last at {formatTime(trouble.t)}: {trouble.text}
        </div>
      )}
      {chips.length > 0 && (
        <div className="fault-chips" data-testid="fault-chips">
          {chips.map((c) => (
            <Badge key={c} tone="warn">
              {c}
            </Badge>
          ))}
        </div>
      )}
      {owner.urls.map((u) => (
        <div key={u} className="owner-url-row">
          <code className="owner-url" data-testid="owner-url">
            {u}
          </code>
          <CopyButton text={u} label="Copy URL" testId="copy-owner-url" />
          <CopyButton text={exampleCommand(u)} label="Copy brz command" testId="copy-owner-command" />
        </div>
      ))}
      {owner.ssh && <SshServerTrust ssh={owner.ssh} />}
      <div className="owner-actions">
        <Switch label="Refuse VFS calls" checked={owner.policy.refuseVfs} disabled={busy} onChange={setRefuse} testId={`refuse-vfs-${owner.ownerId}`} />
        <Button kind="danger" onClick={stop} busy={busy}>
          Stop
        </Button>
      </div>
      <PolicyEditor owner={owner} />
    </div>
  );
}

export function OwnersList() {
  const owners = useApp((s) => s.owners.list);
  if (owners.length === 0) return <p className="empty">No server or proxy is running. Start one below.</p>;
  return (
    <div className="owners">
      {owners.map((o) => (
        <OwnerCard key={o.ownerId} owner={o} />
      ))}
    </div>
  );
}

/** "Save setup" keeps the running servers and proxies (with their ports) in this browser; "Restore setup" starts them again. */
export function SetupActions() {
  const owners = useApp((s) => s.owners.list);
  const [busy, run] = useBusy();
  const notice = (title: string, message: string) => dispatch({ type: 'notice', notice: { level: 'info', title, message } });
  const save = () => {
    const n = saveSetup(owners);
    notice('Setup saved', n === 0 ? 'Nothing to save: no server or proxy started from this window is running.' : `${n} server(s) and proxies, with their ports; "Restore setup" starts them again.`);
  };
  const restore = () =>
    run(async () => {
      const setup = savedSetup();
      if (setup.length === 0) return notice('Nothing to restore', 'Save a setup first (it is kept in this browser).');
      let started = 0;
      for (const start of setup) {
        const owner = await startOwner(start);
        if (owner) {
          started++;
          dispatch({ type: 'owner-updated', owner });
        }
      }
      notice('Setup restored', `${started} of ${setup.length} started on their saved ports.`);
    });
  return (
    <div className="setup-actions">
      <Button onClick={save} testId="save-setup" title="Remember the running servers and proxies, with their ports">
        Save setup
      </Button>
      <Button onClick={restore} busy={busy} testId="restore-setup" title="Start the saved servers and proxies again">
        Restore setup
      </Button>
    </div>
  );
}
