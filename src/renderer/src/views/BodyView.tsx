/** A body (or its preview) as text or as a hex dump, with its full size. */
import { useState } from 'react';
import { bytesAsText, formatBytes, hexDump } from '../lib/format';

export function BodyView({ bytes, length, label }: { bytes: Uint8Array; length: number; label: string }) {
  const [mode, setMode] = useState<'text' | 'hex'>(() => (bytes.some((b) => b < 9 || (b > 13 && b < 32)) ? 'hex' : 'text'));
  const partial = bytes.length < length;
  return (
    <div className="body-view">
      <div className="body-head">
        <span className="muted">
          {label}: {formatBytes(length)}
          {partial && ` (first ${bytes.length} bytes shown)`}
        </span>
        <div className="seg" role="group" aria-label={`${label} as`}>
          <button className={mode === 'text' ? 'on' : ''} aria-pressed={mode === 'text'} onClick={() => setMode('text')}>
            Text
          </button>
          <button className={mode === 'hex' ? 'on' : ''} aria-pressed={mode === 'hex'} onClick={() => setMode('hex')}>
            Hex
          </button>
        </div>
      </div>
      <pre className="body-pre">{mode === 'text' ? bytesAsText(bytes) : hexDump(bytes)}</pre>
    </div>
  );
}
