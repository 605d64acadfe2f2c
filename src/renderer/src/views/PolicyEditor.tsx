/**
 * The numeric policies of a running server or proxy, changed while it runs: latency,
 * response delay, idle-client timeout, bandwidth cap, drops. Applied together with one
 * `ui:policy:set`; the engine validates the ranges too.
 */
import { useState, type FormEvent } from 'react';
import type { OwnerInfo, PolicySettings } from '../../../shared/api';
import { call } from '../api/api';
import { dispatch } from '../store/store';
import { Button } from './controls';
import { useBusy } from './useBusy';

type NumericPolicy = 'latencyMs' | 'responseDelayMs' | 'clientTimeoutSec' | 'bandwidthBytesPerSec' | 'dropAfterBytes' | 'dropAfterCalls';

const FIELDS: { key: NumericPolicy; label: string; unit: string }[] = [
  { key: 'latencyMs', label: 'Added latency per call', unit: 'ms' },
  { key: 'responseDelayMs', label: 'Delay responses only', unit: 'ms' },
  { key: 'clientTimeoutSec', label: 'Idle-client timeout (0 = off)', unit: 's' },
  { key: 'bandwidthBytesPerSec', label: 'Bandwidth cap (0 = none)', unit: 'B/s' },
  { key: 'dropAfterBytes', label: 'Drop after bytes (0 = never)', unit: 'B' },
  { key: 'dropAfterCalls', label: 'Drop after call N (0 = never)', unit: '' },
];

function valuesOf(policy: PolicySettings): Record<NumericPolicy, string> {
  return Object.fromEntries(FIELDS.map((f) => [f.key, String(policy[f.key])])) as Record<NumericPolicy, string>;
}

export function PolicyEditor({ owner }: { owner: OwnerInfo }) {
  const [values, setValues] = useState(() => valuesOf(owner.policy));
  const [busy, run] = useBusy();
  const invalid = FIELDS.filter((f) => !/^\d+$/.test(values[f.key].trim()));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (invalid.length) return;
    const policy: Partial<PolicySettings> = Object.fromEntries(FIELDS.map((f) => [f.key, Number(values[f.key].trim())]));
    void run(async () => {
      const updated = await call(`Changing the policies of ${owner.ownerId}`, 'ui:policy:set', { ownerId: owner.ownerId, policy });
      if (updated) {
        dispatch({ type: 'owner-updated', owner: updated });
        setValues(valuesOf(updated.policy));
      }
    });
  };
  return (
    <details className="policies">
      <summary>Faults and limits</summary>
      <form className="policy-grid" onSubmit={apply} aria-label={`Policies of ${owner.ownerId}`}>
        {FIELDS.map((f) => (
          <label key={f.key} className="policy-field">
            <span>{f.label}</span>
            <span className="policy-input">
              <input
                inputMode="numeric"
                value={values[f.key]}
                aria-invalid={invalid.includes(f)}
                onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
              />
              <span className="muted">{f.unit}</span>
            </span>
          </label>
        ))}
        {invalid.length > 0 && <p className="error-text">Whole numbers only: {invalid.map((f) => f.label).join(', ')}.</p>}
        <Button type="submit" busy={busy} disabled={invalid.length > 0}>
          Apply
        </Button>
      </form>
    </details>
  );
}
