/**
 * The server backends as the engine lists them (`ui:backends:list`, from its registry):
 * one that cannot run here is shown disabled with the reason; the first that can is chosen.
 */
import { useEffect, useState } from 'react';
import type { Backend, ServerBackendAvailability } from '../../../shared/api';
import { call } from '../api/api';

export function BackendSelect({ value, onChange }: { value: Backend | null; onChange: (backend: Backend) => void }) {
  const [backends, setBackends] = useState<ServerBackendAvailability[]>([]);
  useEffect(() => {
    let live = true;
    void call('Listing the server backends', 'ui:backends:list', null).then((list) => {
      if (!live || !list) return;
      setBackends(list);
      const first = list.find((b) => b.available);
      if (first) onChange(first.id);
    });
    return () => {
      live = false;
    };
    // Asked once per form; the choice is the user's after that.
  }, []);
  const chosen = backends.find((b) => b.id === value);
  return (
    <div className="field">
      <label htmlFor="server-backend">Backend</label>
      <select id="server-backend" value={value ?? ''} onChange={(e) => onChange(e.target.value as Backend)}>
        {backends.map((b) => (
          <option key={b.id} value={b.id} disabled={!b.available} title={b.reason ?? b.help}>
            {b.label}
            {b.available ? '' : ' (not available here)'}
          </option>
        ))}
      </select>
      <small className="muted">{chosen ? (chosen.available ? chosen.help : chosen.reason) : 'asking the engine…'}</small>
    </div>
  );
}
