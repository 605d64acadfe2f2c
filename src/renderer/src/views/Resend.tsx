/**
 * Send a recorded call again. The target is always shown and editable; it is filled in
 * only for a live call whose owner is known. A call from an opened trace starts with no
 * target: its ids mean nothing to the live engine, so the user names the server.
 */
import { useState } from 'react';
import type { CallResult } from '../../../shared/api';
import { call } from '../api/api';
import type { CallRecord } from '../store/types';
import { CallResultView } from './CallResultView';
import { ConfirmDialog } from './ConfirmDialog';
import { Button } from './controls';
import { useBusy } from './useBusy';

/** Verbs a client may repeat without changing anything (Breezy's read and idempotent kinds). */
function isSafeToRepeat(c: CallRecord): boolean {
  return c.verbKind === 'read' || c.verbKind === 'idem';
}

export function Resend({ c, suggested, fromTrace }: { c: CallRecord; suggested: string | null; fromTrace: boolean }) {
  const [target, setTarget] = useState(fromTrace ? '' : (suggested ?? ''));
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<CallResult | null>(null);
  const [busy, run] = useBusy();
  const url = target.trim();
  const send = () => {
    setConfirming(false);
    void run(async () => {
      const args = c.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
      setResult(await call(`Resending ${c.verb}`, 'ui:call:send', { url, verb: c.verb, args }));
    });
  };
  return (
    <div className="resend">
      {fromTrace && <p className="muted">This call is from a trace file: name the server to send it to.</p>}
      <div className="resend-row">
        <input aria-label="Resend to URL" placeholder="bzr://host:port/" value={target} spellCheck={false} onChange={(e) => setTarget(e.target.value)} data-testid="resend-target" />
        <Button onClick={() => (isSafeToRepeat(c) ? send() : setConfirming(true))} busy={busy} disabled={url === ''} testId="resend">
          Resend
        </Button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Resend ${c.verb}?`}
          body={`${c.verb} is a verb that may write (Breezy kind "${c.verbKind}"): sending it again may change the repository at ${url}.`}
          confirm="Resend"
          onConfirm={send}
          onCancel={() => setConfirming(false)}
        />
      )}
      {result && <CallResultView result={result} />}
    </div>
  );
}
