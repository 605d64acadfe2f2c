/** The decoded answer to a call sent from the app: status, args, headers, body, timing. */
import type { CallResult } from '../../../shared/api';
import { base64ToBytes, formatArgs, formatMs, formatValue } from '../lib/format';
import { BodyView } from './BodyView';
import { Badge } from './controls';

export function CallResultView({ result }: { result: CallResult }) {
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
    </div>
  );
}
