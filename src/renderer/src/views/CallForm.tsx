/** Sends one call from the app's own client and shows the decoded result. */
import { useState, type FormEvent } from 'react';
import type { CallResult } from '../../../shared/api';
import { run as runCommand } from '../api/api';
import { useApp } from '../store/store';
import { Button, TextField } from './controls';
import { CallResultView } from './CallResultView';
import { HostKeyPrompt, SshSettingsBlock } from './ssh/SshSettings';
import { sshTrustArgs } from './ssh/ssh-settings';
import { useBusy } from './useBusy';

/** Arguments one per line, so values with spaces or commas need no quoting. */
function splitArgs(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

function toBase64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

export function CallForm() {
  const [url, setUrl] = useState('');
  const [verb, setVerb] = useState('hello');
  const [args, setArgs] = useState('');
  const [body, setBody] = useState('');
  const [result, setResult] = useState<CallResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const refuseVfs = useApp((s) => s.ui.clientRefuseVfs);
  const send = (acceptNewHostKey?: string) => {
    setResult(null);
    setFailure(null);
    void run(async () => {
      const r = await runCommand(`Sending ${verb.trim()}`, 'ui:call:send', {
        url: url.trim(),
        verb: verb.trim(),
        args: splitArgs(args),
        ...(body !== '' && { bodyBase64: toBase64(body) }),
        ...sshTrustArgs(url, acceptNewHostKey),
      });
      if (r.ok) setResult(r.data);
      else setFailure(r.error.message);
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send();
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Send a call">
      <TextField label="URL" name="call-url" value={url} onChange={setUrl} placeholder="bzr://127.0.0.1:4155/" required />
      <SshSettingsBlock url={url} />
      <TextField label="Verb" name="call-verb" value={verb} onChange={setVerb} placeholder="hello, BzrDir.open_2.1, get, …" required />
      <div className="field">
        <label htmlFor="call-args">Arguments (one a line)</label>
        <textarea id="call-args" name="call-args" rows={3} value={args} spellCheck={false} onChange={(e) => setArgs(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="call-body">Body (optional, text)</label>
        <textarea id="call-body" rows={2} value={body} spellCheck={false} onChange={(e) => setBody(e.target.value)} />
      </div>
      {refuseVfs && <p className="field-hint">The app's client refuses VFS calls (switch in the top bar).</p>}
      <Button type="submit" kind="primary" busy={busy} testId="send-call">
        {busy ? 'Sending…' : 'Send call'}
      </Button>
      <HostKeyPrompt text={failure} onTrust={send} busy={busy} />
      {result && <CallResultView result={result} />}
    </form>
  );
}
