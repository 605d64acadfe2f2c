/** One row of the call list: a call (result, sizes, timing; a live clock while pending) or a connection event. */
import { memo } from 'react';
import type { Severity } from '../../../shared/call-outcome';
import { formatArgs, formatBytes, formatMs, formatTime } from '../lib/format';
import { elapsedTone, useNow } from '../lib/use-now';
import { outcomeOf } from '../store/calls-reducer';
import type { CallRecord, ConnectionRow, ListRow } from '../store/types';

export const ROW_HEIGHT = 26;

const TONE: Record<Severity, string> = { pending: 'muted', ok: 'ok', quiet: 'quiet', fail: 'bad' };
const EVENT_LABEL: Record<ConnectionRow['event'], string> = { setup: 'set-up', connect: 'connect', disconnect: 'disconnect', timeout: 'timeout', error: 'error', policy: 'policy' };

function PendingClock({ since }: { since: number }) {
  const now = useNow(true);
  const ms = Math.max(0, now - since);
  return (
    <span className={`c-dur tone-${elapsedTone(ms)}`} data-testid="pending-clock" title="Waiting for the response">
      {formatMs(ms)}…
    </span>
  );
}

function CallCells({ c }: { c: CallRecord }) {
  const outcome = outcomeOf(c);
  return (
    <>
      <span className="c-verb">
        {c.verb}
        {c.vfs && <span className="tag tag-vfs">VFS</span>}
        {c.policyActions && (
          <span className="tag tag-policy" title={c.policyActions.join('\n')}>
            policy
          </span>
        )}
      </span>
      <span className="c-args" title={formatArgs(c.args)}>
        {formatArgs(c.args)}
      </span>
      <span className={`c-status tone-${TONE[outcome.severity]}`} data-testid="row-result" data-severity={outcome.severity} title={outcome.meaning}>
        {outcome.result}
      </span>
      <span className="c-size">{c.requestBytes === null ? '' : formatBytes(c.requestBytes)}</span>
      <span className="c-size">{c.responseBytes === null ? '' : formatBytes(c.responseBytes)}</span>
      <span className="c-gap">{c.sincePrevMs === null ? '' : `+${formatMs(c.sincePrevMs)}`}</span>
      {c.status === 'pending' ? <PendingClock since={c.startedAt} /> : <span className="c-dur">{formatMs(c.durationMs)}</span>}
    </>
  );
}

function ConnectionCells({ r }: { r: ConnectionRow }) {
  return (
    <>
      <span className={`c-verb c-event tone-${TONE[r.severity]}`}>{EVENT_LABEL[r.event]}</span>
      <span className={`c-event-text tone-${r.severity === 'fail' ? 'bad' : 'muted'}`} title={r.text} data-testid="conn-text">
        {r.text}
      </span>
    </>
  );
}

export const CallRow = memo(function CallRow({ r, top, active, selected, onPick }: { r: ListRow; top: number; active: boolean; selected: boolean; onPick: (r: ListRow) => void }) {
  const fail = r.row === 'call' ? outcomeOf(r).severity === 'fail' : r.severity === 'fail';
  const id = r.row === 'call' ? r.callId : r.rowId;
  return (
    <div
      id={`row-${id}`}
      role="option"
      aria-selected={selected}
      className={`call-row${r.row === 'conn' ? ' conn-row' : ''}${active ? ' active' : ''}${selected ? ' selected' : ''}${fail ? ' is-failure' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onPick(r)}
      data-testid={r.row === 'call' ? 'call-row' : 'conn-row'}
      data-verb={r.row === 'call' ? r.verb : undefined}
      data-event={r.row === 'conn' ? r.event : undefined}
    >
      <span className="c-time">{formatTime(r.startedAt)}</span>
      <span className="c-medium">{r.mediumId}</span>
      {r.row === 'call' ? <CallCells c={r} /> : <ConnectionCells r={r} />}
    </div>
  );
});
