/** The decoded answer to a call sent from the app: status, args, headers, body, timing. */
import type { CallResult } from '../../../shared/api';
import { base64ToBytes, formatArgs, formatMs, formatValue } from '../lib/format';
import { callById } from '../store/calls-reducer';
import { useApp } from '../store/store';
import { BodyView } from './BodyView';
import { Badge } from './controls';
import { RawBytesView } from './WireView';

export function CallResultView({ result }: { result: CallResult }) {
  // The call's events carry its bytes; they may arrive a frame after the result.
  const recorded = useApp((s) => (result.callId ? callById(s.calls, result.callId) : undefined));
  return (
    <div className="call-result" data-testid="call-result">
      <dl className="kv">
        <dt>Status</dt>
        <dd>
          <Badge tone={result.status === 'S' ? 'ok' : result.status === 'E' ? 'bad' : 'muted'}>{result.status === 'S' ? 'success' : result.status === 'E' ? 'error' : 'none'}</Badge>
        </dd>
        <dt>Response</dt>
        <dd>
          <code data-testid="call-result-args">{formatArgs(result.args) || '()'}</code>
        </dd>
        <dt>Protocol</dt>
        <dd>v{result.protocol}</dd>
        <dt>Time</dt>
        <dd>{formatMs(result.ms)}</dd>
        {result.headers && (
          <>
            <dt>Headers</dt>
            <dd>
              {Object.entries(result.headers).map(([k, v]) => (
                <div key={k}>
                  <code>
                    {k}: {formatValue(v)}
                  </code>
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
      {result.bodyBase64 !== null && <BodyView label="Body" bytes={base64ToBytes(result.bodyBase64)} length={result.bodyLength} />}
      {recorded?.requestRaw && <RawBytesView c={recorded} perRow={8} />}
    </div>
  );
}
