/**
 * The selected row in full. A call: request and response decoded, its result and what it
 * means, bodies, raw bytes, timing, policy actions, copy as `hpss call`, resend. A
 * connection event: what happened and the connection's state. A new selection scrolls
 * the pane back to its top.
 */
import { useLayoutEffect, useMemo, useRef } from 'react';
import type { Severity } from '../../../shared/call-outcome';
import { hpssCallCommand } from '../lib/call-command';
import { capturedRequestBody, capturedResponseBody } from '../lib/captured-body';
import { formatArgs, formatBytes, formatMs, formatTime, previewBytes } from '../lib/format';
import { PHASE_LABEL } from '../../../shared/connection-setup-text';
import { outcomeOf, rowByKey } from '../store/calls-reducer';
import { dispatch, useApp } from '../store/store';
import type { CallRecord, ConnectionRow, MediumRow } from '../store/types';
import { BodyView } from './BodyView';
import { Badge, Button } from './controls';
import { Resend } from './Resend';
import { HeadersView, RawBytesView } from './WireView';

/** Breezy's verb kinds in plain words (what repeating the call would do). */
const KIND_WORDS: Record<CallRecord['verbKind'], string> = {
  read: 'reads only',
  idem: 'safe to repeat',
  mutate: 'writes',
  semi: 'may write',
  semivfs: 'may write, file level',
  stream: 'streams data',
  vfs: 'file level (VFS)',
  unknown: 'not a verb Breezy knows',
};

const BADGE: Record<Severity, 'ok' | 'warn' | 'bad' | 'muted'> = { pending: 'muted', ok: 'ok', quiet: 'muted', fail: 'bad' };

/** The URL a live call can be sent to again: its owner's, or the peer the app's client called. */
function useSuggestedUrl(medium: MediumRow | undefined): string | null {
  const ownerUrl = useApp((s) => (medium?.ownerId ? (s.owners.list.find((o) => o.ownerId === medium.ownerId)?.urls.find((u) => u.startsWith('bzr://')) ?? null) : null));
  return ownerUrl ?? (medium?.kind === 'tcp-client' && medium.peer !== '?' ? `bzr://${medium.peer}/` : null);
}

function FollowButton({ mediumId }: { mediumId: string }) {
  const following = useApp((s) => s.ui.filters.mediumId === mediumId);
  return (
    <Button onClick={() => dispatch({ type: 'filters', filters: { mediumId: following ? '' : mediumId } })} testId="follow-connection" title="Show only this connection (and its proxy pair)">
      {following ? 'Show all connections' : 'Follow connection'}
    </Button>
  );
}

function MediumLine({ mediumId, medium }: { mediumId: string; medium: MediumRow | undefined }) {
  return (
    <>
      {mediumId}
      {medium && ` (${medium.kind}, ${medium.peer}${medium.ownerId ? `, ${medium.ownerId}` : ''})`}
      {medium?.pairId && <span className="muted"> · pair {medium.pairId}</span>}
    </>
  );
}

function ConnectionDetail({ r, medium }: { r: ConnectionRow; medium: MediumRow | undefined }) {
  return (
    <>
      <header className="detail-head">
        <h2>{r.event === 'setup' ? 'connection set-up' : r.event}</h2>
        <Badge tone={BADGE[r.severity]}>{r.severity === 'fail' ? 'failure' : r.event}</Badge>
      </header>
      <p className={r.severity === 'fail' ? 'error-text' : ''} data-testid="conn-detail-text">
        {r.text}
      </p>
      <dl className="kv">
        <dt>Connection</dt>
        <dd>
          <MediumLine mediumId={r.mediumId} medium={medium} />
        </dd>
        <dt>At</dt>
        <dd>{formatTime(r.startedAt)}</dd>
        {r.setup && (
          <>
            <dt>Set-up</dt>
            <dd data-testid="setup-phases">
              {formatMs(r.setup.totalMs)}
              <ul className="setup-phases">
                {r.setup.phases.map((p, i) => (
                  <li key={i} className={p.ok ? '' : 'error-text'}>
                    {PHASE_LABEL[p.phase]}: {formatMs(p.ms)}
                    {p.ok ? '' : ' (failed)'}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {medium && (
          <>
            <dt>State</dt>
            <dd>
              {medium.state}
              {medium.closeReason && ` · ${medium.closeReason}`} · {medium.calls} calls · read {formatBytes(medium.bytesRead)} · written {formatBytes(medium.bytesWritten)}
            </dd>
          </>
        )}
      </dl>
      <FollowButton mediumId={r.mediumId} />
    </>
  );
}

function CallView({ c, medium }: { c: CallRecord; medium: MediumRow | undefined }) {
  const suggested = useSuggestedUrl(medium);
  const fromTrace = useApp((s) => s.ui.traceFile !== null);
  const outcome = outcomeOf(c);
  // Bodies as far as the raw capture holds them (~4 KiB), else the events' 48-byte preview.
  const requestBody = useMemo(() => (c.requestRaw && capturedRequestBody(c.requestRaw)) || (c.requestBody && previewBytes(c.requestBody.preview)), [c.requestRaw, c.requestBody]);
  const responseBody = useMemo(
    () => (c.responseRaw && capturedResponseBody(c.responseRaw, c.protocol, c.verb)) || (c.responseBody && previewBytes(c.responseBody.preview)),
    [c.responseRaw, c.responseBody, c.protocol, c.verb],
  );
  const command = hpssCallCommand(suggested && !fromTrace ? suggested : 'URL', c.verb, c.args);
  return (
    <>
      <header className="detail-head">
        <h2>
          <code>{c.verb}</code>
        </h2>
        <Badge tone={BADGE[outcome.severity]}>{outcome.result}</Badge>
        {c.vfs && <Badge tone="warn">VFS</Badge>}
      </header>
      {outcome.meaning && (
        <p className={outcome.severity === 'fail' ? 'error-text' : 'muted'} data-testid="call-meaning">
          {outcome.severity === 'fail' ? 'Failed: ' : ''}
          {outcome.meaning}
        </p>
      )}
      <dl className="kv">
        <dt>Call</dt>
        <dd>
          {c.callId} on <MediumLine mediumId={c.mediumId} medium={medium} />
        </dd>
        <dt>Protocol</dt>
        <dd>
          v{c.protocol} · {KIND_WORDS[c.verbKind] ?? c.verbKind}
        </dd>
        <dt>Started</dt>
        <dd>
          {formatTime(c.startedAt)}
          {c.sincePrevMs !== null && <span className="muted"> · {formatMs(c.sincePrevMs)} after the previous call</span>}
        </dd>
        <dt>Duration</dt>
        <dd>
          {formatMs(c.durationMs)}
          {c.finishedAt !== null && <span className="muted"> · finished {formatTime(c.finishedAt)}</span>}
          {c.peerMs !== undefined && c.durationMs !== null && (
            <span data-testid="call-peer-time">
              {' '}
              · our side {formatMs(Math.max(0, c.durationMs - c.peerMs))}, the peer {formatMs(c.peerMs)}
            </span>
          )}
        </dd>
        <dt>Sizes</dt>
        <dd>
          request {c.requestBytes === null ? '?' : formatBytes(c.requestBytes)} (body {c.requestBody ? formatBytes(c.requestBody.length) : 'none'}) · response{' '}
          {c.responseBytes === null ? '?' : formatBytes(c.responseBytes)} (body {c.responseBody ? `${formatBytes(c.responseBody.length)} in ${c.responseBody.parts} part(s)` : 'none'})
        </dd>
      </dl>
      <div className="detail-actions">
        <FollowButton mediumId={c.mediumId} />
        <Button onClick={() => void navigator.clipboard?.writeText(command)} title={command} testId="copy-command">
          Copy as hpss call
        </Button>
      </div>
      <code className="command-line" data-testid="call-command">
        {command}
      </code>
      <h3>Request</h3>
      <pre className="decoded" data-testid="detail-request">
        {c.verb}({formatArgs(c.args)})
      </pre>
      <HeadersView headers={c.requestHeaders} testId="request-headers" />
      {c.requestBody && requestBody && <BodyView label="Request body" bytes={requestBody} length={c.requestBody.length} />}
      <h3>Response</h3>
      {c.status === 'pending' ? (
        <p className="muted">Waiting for the response…</p>
      ) : (
        <pre className="decoded" data-testid="detail-response">
          {c.status ?? '—'} ({formatArgs(c.responseArgs ?? [])})
        </pre>
      )}
      <HeadersView headers={c.responseHeaders} testId="response-headers" />
      {c.responseBody && responseBody && <BodyView label="Response body" bytes={responseBody} length={c.responseBody.length} />}
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
      <Resend key={c.callId} c={c} suggested={suggested} fromTrace={fromTrace} />
    </>
  );
}

export function CallDetail() {
  const selected = useApp((s) => s.ui.selectedCallId);
  const r = useApp((s) => (s.ui.selectedCallId ? rowByKey(s.calls, s.ui.selectedCallId) : undefined));
  const medium = useApp((s) => (r ? s.mediums.byId[r.mediumId] : undefined));
  const pane = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (pane.current) pane.current.scrollTop = 0;
  }, [selected]);
  if (!r) return null;
  return (
    <div ref={pane} className="detail" data-testid="call-detail" aria-label={r.row === 'call' ? `Call ${r.callId}` : `Connection event on ${r.mediumId}`}>
      <button className="icon-btn detail-close" aria-label="Close detail" onClick={() => dispatch({ type: 'select-call', callId: null })}>
        ×
      </button>
      {r.row === 'call' ? <CallView c={r} medium={medium} /> : <ConnectionDetail r={r} medium={medium} />}
    </div>
  );
}
