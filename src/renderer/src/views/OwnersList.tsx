/** Running servers and proxies: their URLs, the VFS-refuser switch, and stop. */
import type { OwnerInfo } from '../../../shared/api';
import { call, run as runCommand } from '../api/api';
import { dispatch, useApp } from '../store/store';
import { Badge, Button, Switch } from './controls';
import { PolicyEditor } from './PolicyEditor';
import { SshServerTrust } from './ssh/SshServerTrust';
import { useBusy } from './useBusy';

function OwnerCard({ owner }: { owner: OwnerInfo }) {
  const listener = useApp((s) => s.owners.listener[owner.ownerId]);
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
    <div className="owner-card" data-testid={`owner-${owner.ownerId}`}>
      <div className="owner-head">
        <Badge tone="info">{owner.kind}</Badge>
        <span className="owner-id">{owner.ownerId}</span>
        <Badge tone={state === 'listening' ? 'ok' : state === 'failed' ? 'bad' : 'muted'} title={listener?.message}>
          {state}
        </Badge>
      </div>
      <div className="owner-desc">{owner.description}</div>
      {owner.urls.map((u) => (
        <code key={u} className="owner-url" data-testid="owner-url">
          {u}
        </code>
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
