/**
 * The one set of SSH settings the Probe, Call and Proxy forms share: identity file,
 * known_hosts file and key passphrase, typed once. The passphrase lives in memory only
 * (never in storage, never in events). A host key the user chose to trust is sent once,
 * with the next request, as `acceptNewHostKey` (its fingerprint): the engine then writes
 * it to known_hosts, and later requests check against it.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { SshTrustArgs } from '../../../../shared/api';

export interface SshSettings {
  identity: string;
  knownHosts: string;
  passphrase: string;
}

export const sshSettingsStore = createStore<SshSettings>(() => ({ identity: '', knownHosts: '', passphrase: '' }));

export function useSshSettings<T>(selector: (s: SshSettings) => T): T {
  return useStore(sshSettingsStore, selector);
}

export function setSshSetting(field: keyof SshSettings, value: string): void {
  sshSettingsStore.setState({ [field]: value });
}

export function isSshUrl(url: string): boolean {
  return url.trim().startsWith('bzr+ssh://');
}

/** The trust fields for a request to `url`: none unless it is bzr+ssh; empty fields left out. */
export function sshTrustArgs(url: string, acceptNewHostKey?: string): SshTrustArgs {
  if (!isSshUrl(url)) return {};
  const { identity, knownHosts, passphrase } = sshSettingsStore.getState();
  return {
    ...(identity.trim() && { identity: identity.trim() }),
    ...(knownHosts.trim() && { knownHosts: knownHosts.trim() }),
    ...(passphrase !== '' && { passphrase }),
    ...(acceptNewHostKey && { acceptNewHostKey }),
  };
}
