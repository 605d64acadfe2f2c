/** What went over the wire for a call: each message's v3 headers and a hex dump of its first bytes. */
import { Fragment, useMemo } from 'react';
import type { JsonObject, RawBytes } from '../../../shared/events';
import { base64ToBytes, formatBytes, formatCount, formatValue, hexDump } from '../lib/format';
import type { CallRecord } from '../store/types';
import { RAW_BYTES_KEPT } from '../store/calls-reducer';
import { Badge } from './controls';

/** undefined: not recorded (an older trace); null: a v1/v2 message, which has no headers. */
export function HeadersView({ headers, testId }: { headers: JsonObject | null | undefined; testId: string }) {
  if (headers === undefined) return null;
  const entries = headers ? Object.entries(headers) : [];
  return (
    <div className="headers" data-testid={testId}>
      <span className="muted">Headers</span>
      {entries.length === 0 ? (
        <span className="muted"> none (v1 and v2 messages carry no headers)</span>
      ) : (
        <dl className="kv">
          {entries.map(([key, value]) => (
            <Fragment key={key}>
              <dt>{key}</dt>
              <dd>
                <code>{formatValue(value)}</code>
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
    </div>
  );
}

/** Sixteen bytes a row, as every hex viewer shows them (the detail pane is resizable); the sidebar's answers use eight. */
const RAW_ROW_BYTES = 16;

/** Downloads the captured bytes as a file (what was captured: the first RAW_CAPTURE_BYTES of the message). */
function saveBytes(bytes: Uint8Array, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function RawDump({ label, raw, testId, perRow, fileName }: { label: string; raw: RawBytes; testId: string; perRow: number; fileName: string }) {
  const bytes = useMemo(() => base64ToBytes(raw.base64), [raw.base64]);
  return (
    <div className="body-view" data-testid={testId}>
      <div className="body-head">
        <span className="muted">
          {label}:{' '}
          {raw.truncated ? `first ${formatCount(bytes.length)} of ${formatCount(raw.length)} bytes (${formatBytes(raw.length)})` : `${formatCount(raw.length)} bytes`}
        </span>
        {raw.truncated && <Badge tone="warn">truncated</Badge>}
        <button className="btn btn-plain btn-small" onClick={() => saveBytes(bytes, fileName)} data-testid={`${testId}-save`} title="Save these bytes to a file">
          Save
        </button>
      </div>
      <pre className="hex-pre" aria-label={`${label} bytes as hex`}>
        {hexDump(bytes, bytes.length, perRow)}
      </pre>
    </div>
  );
}

/** The request's and the response's first bytes, offset · hex · ASCII. */
export function RawBytesView({ c, perRow = RAW_ROW_BYTES }: { c: CallRecord; perRow?: number }) {
  const missing = (side: string) => (
    <p className="muted">
      No raw bytes for the {side}: only the newest {RAW_BYTES_KEPT.toLocaleString('en')} calls keep them (and older traces have none).
    </p>
  );
  return (
    <section className="raw-bytes" data-testid="raw-bytes">
      {c.requestRaw ? <RawDump label="Request" raw={c.requestRaw} testId="raw-request" perRow={perRow} fileName={`${c.callId}-${c.verb}-request.bin`} /> : missing('request')}
      {c.responseRaw ? (
        <RawDump label="Response" raw={c.responseRaw} testId="raw-response" perRow={perRow} fileName={`${c.callId}-${c.verb}-response.bin`} />
      ) : c.status === 'pending' ? (
        <p className="muted">Response: waiting for its first bytes…</p>
      ) : c.error ? (
        <p className="muted">Response: none arrived.</p>
      ) : (
        missing('response')
      )}
    </section>
  );
}
