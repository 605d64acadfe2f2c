/**
 * The SSH settings block the Probe, Call and Proxy forms share (shown for bzr+ssh://
 * URLs), and the prompt that offers to trust a host key the server offered and
 * known_hosts lacks, after showing its fingerprint.
 */
import { useId } from 'react';
import { parseUnknownHostKey } from '../../../../shared/host-key-offer';
import { Button } from '../controls';
import { isSshUrl, setSshSetting, useSshSettings, type SshSettings } from './ssh-settings';

function SshField(props: { field: keyof SshSettings; label: string; placeholder: string; secret?: boolean; hint?: string }) {
  const id = useId();
  const value = useSshSettings((s) => s[props.field]);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={`ssh-${props.field}`}
        type={props.secret ? 'password' : 'text'}
        autoComplete={props.secret ? 'off' : undefined}
        value={value}
        placeholder={props.placeholder}
        spellCheck={false}
        onChange={(e) => setSshSetting(props.field, e.target.value)}
      />
      {props.hint && <div className="field-hint">{props.hint}</div>}
    </div>
  );
}

/** Identity, known_hosts and passphrase, shared by every form; shown for bzr+ssh:// URLs only. */
export function SshSettingsBlock({ url }: { url: string }) {
  if (!isSshUrl(url)) return null;
  return (
    <fieldset className="ssh-settings" data-testid="ssh-settings">
      <legend>SSH (shared by Probe, Call and Proxy)</legend>
      <SshField field="identity" label="Identity file" placeholder="~/.ssh/id_ed25519 (default: agent, then ~/.ssh/id_*)" />
      <SshField field="knownHosts" label="known_hosts file" placeholder="~/.ssh/known_hosts" />
      <SshField field="passphrase" label="Key passphrase" placeholder="only for an encrypted identity file" secret hint="Kept in memory for this page only; never saved or traced." />
    </fieldset>
  );
}

/**
 * When `text` (an error, a verdict) says the server offered a host key known_hosts
 * lacks: its fingerprint, and a button that trusts exactly that key and retries.
 */
export function HostKeyPrompt(props: {
  text: string | null | undefined;
  onTrust: (fingerprint: string) => void;
  busy?: boolean;
  /** Inside a form whose submit does the retry: the button submits it (after `onTrust`). */
  submits?: boolean;
}) {
  const { text, onTrust, busy } = props;
  const offer = text ? parseUnknownHostKey(text) : null;
  if (!offer) return null;
  return (
    <div className="host-key-prompt" role="alert" data-testid="host-key-prompt">
      <div>
        <strong>Unknown host key</strong> for <code>{offer.name}</code>: {offer.keyType}
      </div>
      <code className="host-key-fingerprint" data-testid="host-key-fingerprint">
        {offer.fingerprint}
      </code>
      <div className="field-hint">Compare it with the fingerprint the server's admin gives you (ssh-keygen -lf on the server's host key). Trusting it adds it to known_hosts.</div>
      <Button kind="primary" type={props.submits ? 'submit' : 'button'} busy={busy} onClick={() => onTrust(offer.fingerprint)} testId="trust-host-key">
        Trust this key and retry
      </Button>
    </div>
  );
}
