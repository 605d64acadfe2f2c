/**
 * The policies of a running server or proxy, changed while it runs: one input per policy
 * input of the registry (src/shared/policies), validated by the same code the engine and
 * the CLI use before anything is sent. Applied together with one `ui:policy:set`.
 * (VFS refusal has its own switch on the card.)
 */
import { useState, type FormEvent } from 'react';
import type { OwnerInfo } from '../../../shared/api';
import { InvalidPolicy, policyFromInputs, policyInputs, type PolicySettings } from '../../../shared/policies';
import { call } from '../api/api';
import { dispatch } from '../store/store';
import { Button } from './controls';
import { useBusy } from './useBusy';

const INPUTS = policyInputs().filter(({ input }) => input.type !== 'boolean');

function valuesOf(policy: PolicySettings): Record<string, string> {
  return Object.fromEntries(INPUTS.map(({ input }) => [input.flag, String(input.show(policy))]));
}

/** The settings the form's text gives, or the first problem with it (as the engine would say it). */
function parse(current: PolicySettings, values: Record<string, string>): { settings: PolicySettings } | { error: string; flag: string } {
  let settings = current;
  for (const { input } of INPUTS) {
    try {
      settings = policyFromInputs(settings, new Map([[input.flag, values[input.flag]]]));
    } catch (err) {
      if (err instanceof InvalidPolicy) return { error: `${input.label}: ${err.message.replace(/^--[\w-]+: /, '')}`, flag: input.flag };
      throw err;
    }
  }
  return { settings };
}

export function PolicyEditor({ owner }: { owner: OwnerInfo }) {
  const [values, setValues] = useState(() => valuesOf(owner.policy));
  const [busy, run] = useBusy();
  const parsed = parse(owner.policy, values);
  const invalid = 'error' in parsed ? parsed : null;
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if ('error' in parsed) return;
    const { refuseVfs: _kept, ...policy } = parsed.settings;
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
        {INPUTS.map(({ policy, input }) => (
          <label key={input.flag} className="policy-field" title={`${policy.label}: ${policy.help}`}>
            <span>{input.label}</span>
            <span className="policy-input">
              <input
                inputMode={input.type === 'number' ? 'numeric' : 'text'}
                value={values[input.flag]}
                placeholder={input.type === 'number' ? '0' : input.help}
                aria-invalid={invalid?.flag === input.flag}
                onChange={(e) => setValues({ ...values, [input.flag]: e.target.value })}
              />
              {input.unit && <span className="muted">{input.unit}</span>}
            </span>
          </label>
        ))}
        {invalid && <p className="error-text">{invalid.error}</p>}
        <Button type="submit" busy={busy} disabled={invalid !== null}>
          Apply
        </Button>
      </form>
    </details>
  );
}
