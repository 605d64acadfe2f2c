/** One call in full: request and response decoded, bodies as text or hex, timing, sizes, what policies did. */
import { useState } from 'react';
import type { CallResult } from '../../../shared/api';
import { call } from '../api/api';
import { formatArgs, formatBytes, formatMs, formatTime, previewBytes } from '../lib/format';
import { callById } from '../store/calls-reducer';
import { dispatch, useApp } from '../store/store';
import type { CallRecord } from '../store/types';
import { BodyView } from './BodyView';
import { CallResultView } from './CallResultView';
import { ConfirmDialog } from './ConfirmDialog';
import { Badge, Button } from './controls';
import { useBusy } from './useBusy';
import { HeadersView, RawBytesView } from './WireView';

/** Verbs a client may repeat without changing anything (Breezy's read and idempotent kinds). */
function isSafeToRepeat(c: CallRecord): boolean {
  return c.verbKind === 'read' || c.verbKind === 'idem';
}

function Resend({ c, url }: { c: CallRecord; url: string | null }) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<CallResult | null>(null);
  const [busy, run] = useBusy();
  if (!url) return <p className="muted">No URL is known for this connection, so it cannot be resent from here; use the Call form.</p>;
  const send = () => {
    setConfirming(false);
    void run(async () => {
      const args = c.args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
      setResult(await call(`Resending ${c.verb}`, 'ui:call:send', { url, verb: c.verb, args }));
    });
  };
  return (
    <div className="resend">
      <Button onClick={() => (isSafeToRepeat(c) ? send() : setConfirming(true))} busy={busy} testId="resend">
        Resend to {url}
      </Button>
      {confirming && (
        <ConfirmDialog
          title={`Resend ${c.verb}?`}
          body={`${c.verb} is a ${c.verbKind} verb: sending it again may change the repository at ${url}.`}
          confirm="Resend"
          onConfirm={send}
          onCancel={() => setConfirming(false)}
        />
      )}
      {result && <CallResultView result={result} />}
    </div>
  );
}

export function CallDetail() {
  const c = useApp((s) => (s.ui.selectedCallId ? callById(s.calls, s.ui.selectedCallId) : undefined));
  const medium = useApp((s) => (c ? s.mediums.byId[c.mediumId] : undefined));
  const ownerUrl = useApp((s) => (medium?.ownerId ? (s.owners.list.find((o) => o.ownerId === medium.ownerId)?.urls.find((u) => u.startsWith('bzr://')) ?? null) : null));
  if (!c) return <div className="detail empty-detail">Select a call (click, or ↑/↓ then Enter) to see it in full.</div>;
  const url = ownerUrl ?? (medium?.kind === 'tcp-client' && medium.peer !== '?' ? `bzr://${medium.peer}/` : null);
  const status = c.error ? c.error.kind : c.status === 'pending' ? 'in progress' : c.status === 'S' ? 'success' : c.status === 'E' ? 'error reply' : 'no status';
  return (
    <div className="detail" data-testid="call-detail" aria-label={`Call ${c.callId}`}>
      <header className="detail-head">
        <h2>
          <code>{c.verb}</code>
        </h2>
        <Badge tone={c.error ? 'bad' : c.status === 'E' ? 'warn' : c.status === 'S' ? 'ok' : 'muted'}>{status}</Badge>
        {c.vfs && <Badge tone="warn">VFS</Badge>}
        <button className="icon-btn" aria-label="Close detail" onClick={() => dispatch({ type: 'select-call', callId: null })}>
          ×
        </button>
      </header>
      <dl className="kv">
        <dt>Call</dt>
        <dd>
          {c.callId} on {c.mediumId}
          {medium && ` (${medium.kind}, ${medium.peer})`}
        </dd>
        <dt>Protocol</dt>
        <dd>
          v{c.protocol} · verb kind {c.verbKind}
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(c.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>
          {formatMs(c.durationMs)}
          {c.finishedAt !== null && <span className="muted"> · finished {formatTime(c.finishedAt)}</span>}
        </dd>
        <dt>Sizes</dt>
        <dd>
          request body {c.requestBody ? formatBytes(c.requestBody.length) : 'none'} · response body {c.responseBody ? `${formatBytes(c.responseBody.length)} in ${c.responseBody.parts} part(s)` : 'none'}
        </dd>
      </dl>
      <h3>Request</h3>
      <pre className="decoded" data-testid="detail-request">
        {c.verb}({formatArgs(c.args)})
      </pre>
      <HeadersView headers={c.requestHeaders} testId="request-headers" />
      {c.requestBody && <BodyView label="Request body" bytes={previewBytes(c.requestBody.preview)} length={c.requestBody.length} />}
      <h3>Response</h3>
      {c.status === 'pending' ? (
        <p className="muted">Waiting for the response…</p>
      ) : (
        <pre className="decoded" data-testid="detail-response">
          {c.status ?? '—'} ({formatArgs(c.responseArgs ?? [])})
        </pre>
      )}
      <HeadersView headers={c.responseHeaders} testId="response-headers" />
      {c.responseBody && <BodyView label="Response body" bytes={previewBytes(c.responseBody.preview)} length={c.responseBody.length} />}
      {c.error && (
        <p className="error-text">
          {c.error.kind}: {c.error.message}
        </p>
      )}
      <h3>Raw bytes</h3>
      <RawBytesView c={c} />
      {c.policyActions && (
        <>
          <h3>Policy actions</h3>
          <ul className="plain-list">
            {c.policyActions.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
          </ul>
        </>
      )}
      <h3>Resend</h3>
      <Resend key={c.callId} c={c} url={url} />
    </div>
  );
}
