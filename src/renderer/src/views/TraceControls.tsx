/**
 * Open and save traces (the recorder's JSON Lines format). Opening replaces the live
 * view until "Back to live"; the events are fed through the same frame-paced queue,
 * with a progress bar while it drains. Saving writes the events the UI holds.
 */
import { useRef, useState } from 'react';
import { captureToEvents, isCaptureHeader } from '../lib/capture-file';
import { backToLive, queue } from '../lib/live';
import { parseTraceText, serializeTrace, TraceParseError } from '../lib/trace-file';
import { describeSavedTrace, traceCoverage } from '../lib/trace-coverage';
import { MAX_LOGGED } from '../store/event-log';
import { dispatch, useApp } from '../store/store';
import { Button } from './controls';

function notifyError(title: string, message: string, hint: string) {
  dispatch({ type: 'notice', notice: { level: 'error', title, message, hint } });
}

/** A trace, or a capture of raw bytes (`hpss-capture`), as events. */
function parseFile(text: string, file: File): ReturnType<typeof parseTraceText> {
  const end = text.indexOf('\n');
  const firstLine = end < 0 ? text : text.slice(0, end);
  let header: unknown = null;
  try {
    header = JSON.parse(firstLine);
  } catch {
    // Not JSON: parseTraceText says what is wrong.
  }
  if (isCaptureHeader(header)) return { events: captureToEvents(text, file.name, file.lastModified), recordings: 1, skippedLines: 0 };
  return parseTraceText(text);
}

export function TraceControls() {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; stage: string } | null>(null);

  const watchProgress = (total: number) => {
    const tick = () => {
      const left = queue.pending;
      setProgress({ done: total - left, total, stage: 'Loading' });
      if (left > 0) requestAnimationFrame(tick);
      else setTimeout(() => setProgress(null), 400);
    };
    tick();
  };

  const open = async (file: File) => {
    let text: string;
    setProgress({ done: 0, total: file.size, stage: 'Reading' });
    try {
      text = await file.text();
      setProgress({ done: 0, total: file.size, stage: 'Parsing' });
      // Let the label paint before parsing a large file.
      await new Promise((r) => setTimeout(r, 0));
    } catch (err) {
      setProgress(null);
      return notifyError(`Opening ${file.name} failed`, String(err), 'Check that the file is readable.');
    }
    try {
      const parsed = parseFile(text, file);
      queue.clear();
      dispatch({ type: 'reset' });
      dispatch({ type: 'trace-shown', file: { name: file.name, events: parsed.events.length } });
      queue.push(parsed.events);
      watchProgress(parsed.events.length);
      if (parsed.skippedLines) {
        dispatch({ type: 'notice', notice: { level: 'info', title: `${file.name}: ${parsed.skippedLines} torn line(s) skipped`, message: 'A recorder stopped mid-line; the rest is shown.' } });
      }
    } catch (err) {
      setProgress(null);
      const message = err instanceof TraceParseError ? err.message : String(err);
      notifyError(`Opening ${file.name} failed`, message, 'Open a file written by `hpss … --trace FILE` or saved from this app.');
    }
  };

  const save = () => {
    const events = queue.log.events();
    const summary = describeSavedTrace(traceCoverage(events), queue.log.clearedAt, queue.log.overwritten, MAX_LOGGED);
    dispatch({ type: 'notice', notice: { level: 'info', title: 'Trace saved', message: summary } });
    const blob = new Blob([serializeTrace(events)], { type: 'application/x-ndjson' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `hpss-trace-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  return (
    <div className="trace-controls">
      <input
        ref={input}
        type="file"
        accept=".jsonl,.json,.trace,application/x-ndjson"
        hidden
        data-testid="trace-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void open(f);
        }}
      />
      <Button onClick={() => input.current?.click()} title="Open a trace file (JSON Lines)">
        Open trace…
      </Button>
      <Button onClick={save} title="Save the events shown as a trace file" testId="save-trace">
        Save trace
      </Button>
      {progress !== null && (
        <span className="trace-progress" role="status" data-testid="trace-progress">
          <progress className="progress" value={progress.total === 0 ? 1 : progress.done / progress.total} max={1} aria-label="Loading trace" />
          {progress.stage === 'Loading' ? `Loading ${progress.done.toLocaleString('en')} of ${progress.total.toLocaleString('en')} events` : `${progress.stage} the file…`}
        </span>
      )}
    </div>
  );
}

export function TraceBanner() {
  const file = useApp((s) => s.ui.traceFile);
  if (!file) return null;
  return (
    <div className="banner" role="status">
      Showing trace <strong>{file.name}</strong> ({file.events} events). Live activity is paused.
      <Button kind="primary" onClick={() => void backToLive()}>
        Back to live
      </Button>
    </div>
  );
}
