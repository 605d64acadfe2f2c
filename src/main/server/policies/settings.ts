/**
 * The live policy settings of one server or proxy: shared by all its connections and
 * changed while it runs (CLI at start, the UI any time), validated by the policy registry.
 */
import { defaultPolicy, mergePolicy, type PolicySettings } from '../../../shared/policies';

export class PolicyStore {
  private settings: PolicySettings;

  constructor(initial: Partial<PolicySettings> = {}) {
    this.settings = mergePolicy(defaultPolicy(), initial);
  }

  get(): PolicySettings {
    return this.settings;
  }

  /** Applies a change; throws InvalidPolicy (naming the field) on a bad value. */
  set(change: Partial<PolicySettings>): PolicySettings {
    this.settings = mergePolicy(this.settings, change);
    return this.settings;
  }
}
