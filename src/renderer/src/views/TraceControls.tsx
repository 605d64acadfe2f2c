/**
 * Open and save traces (the recorder's JSON Lines format). Opening replaces the live
 * view until "Back to live"; the events are fed through the same frame-paced queue,
 * with a progress bar while it drains. Saving writes the events the UI holds. "Open…"
 * also imports pcap/pcapng captures and brz -Dhpss logs; "Export…" writes the calls
 * shown (all, or the selected one) as a pcapng for Wireshark.
 */
import { useRef, useState } from 'react';
import { backToLive, queue } from '../lib/live';
import { captureToEvents, isCaptureHeader } from '../lib/capture-file';
import { parseOpenedFile, serializeTrace, tracePcapng, TraceParseError, type ParsedTrace } from '../lib/trace-file';
import { describeSavedTrace, traceCoverage } from '../lib/trace-coverage';
import { MAX_LOGGED } from '../store/event-log';
import { dispatch, useApp } from '../store/store';
import { Button } from './controls';

function notifyError(title: string, message: string, hint: string) {
  dispatch({ type: 'notice', notice: { level: 'error', title, message, hint } });
}

function download(bytes: BlobPart, type: string, name: string) {
  const blob = new Blob([bytes], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Writes the calls the UI holds (or the selected one) as a pcapng, and says what it could not write whole. */
function exportCalls(selected: string | null) {
  const result = tracePcapng(queue.log.events(), selected ? new Set([selected]) : undefined);
  if (result.calls === 0) {
    return notifyError(
      'Nothing to export',
      result.unrecordedCalls ? `${result.unrecordedCalls} call(s) have no recorded bytes in this view.` : 'There are no calls yet.',
      'Only the newest 2,000 calls keep their bytes here; `hpss export --pcapng OUT TRACE` exports every call of a trace file.',
    );
  }
  download(result.bytes as Uint8Array<ArrayBuffer>, 'application/octet-stream', `hpss-${selected ?? 'calls'}-${stamp()}.pcapng`);
  const notes = [
    result.truncatedCalls ? `${result.truncatedCalls} not recorded whole (only the first 4 KiB of each message is kept; see the packet comments)` : '',
    result.unrecordedCalls ? `${result.unrecordedCalls} left out: no bytes kept in this view` : '',
  ].filter(Boolean);
  dispatch({
    type: 'notice',
    notice: { level: 'info', title: `Exported ${result.calls} call(s) on ${result.connections} connection(s)`, message: `${notes.join('; ') || 'Every call whole.'} Wireshark decodes TCP port 4155 as bzr.` },
  });
}

/** A trace, a capture of raw bytes (`hpss-capture` JSON Lines), a pcap/pcapng or a brz log, as events. */
function parseFile(bytes: Uint8Array, file: File): ParsedTrace {
  const end = bytes.indexOf(0x0a);
  let header: unknown = null;
  try {
    header = JSON.parse(new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end)));
  } catch {
    // Not JSON: a capture, a log, or parseOpenedFile says what is wrong.
  }
  if (isCaptureHeader(header)) return { events: captureToEvents(new TextDecoder().decode(bytes), file.name, file.lastModified), recordings: 1, skippedLines: 0 };
  return parseOpenedFile(bytes);
}

export function TraceControls() {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; stage: string } | null>(null);
  const selected = useApp((st) => st.ui.selectedCallId);
  const menu = useRef<HTMLDetailsElement>(null);
  const exportAndClose = (callId: string | null) => {
    if (menu.current) menu.current.open = false;
    exportCalls(callId);
  };

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
    let bytes: Uint8Array;
    setProgress({ done: 0, total: file.size, stage: 'Reading' });
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
      setProgress({ done: 0, total: file.size, stage: 'Parsing' });
      // Let the label paint before parsing a large file.
      await new Promise((r) => setTimeout(r, 0));
    } catch (err) {
      setProgress(null);
      return notifyError(`Opening ${file.name} failed`, String(err), 'Check that the file is readable.');
    }
    try {
      const parsed = parseFile(bytes, file);
      queue.clear();
      dispatch({ type: 'reset' });
      dispatch({ type: 'trace-shown', file: { name: file.name, events: parsed.events.length } });
      queue.push(parsed.events);
      watchProgress(parsed.events.length);
      if (parsed.problems?.length) {
        dispatch({ type: 'notice', notice: { level: 'error', title: `${file.name}: imported what could be decoded`, message: parsed.problems.join('\n'), hint: 'These parts of the file were not decoded; the calls shown are the rest.' } });
      } else if (parsed.importedFrom && parsed.events.length === 0) {
        dispatch({ type: 'notice', notice: { level: 'info', title: `${file.name}: no HPSS found`, message: `The ${parsed.importedFrom} holds no HPSS connection or call.` } });
      }
      if (parsed.skippedLines) {
        dispatch({ type: 'notice', notice: { level: 'info', title: `${file.name}: ${parsed.skippedLines} torn line(s) skipped`, message: 'A recorder stopped mid-line; the rest is shown.' } });
      }
    } catch (err) {
      setProgress(null);
      const message = err instanceof TraceParseError ? err.message : String(err);
      notifyError(`Opening ${file.name} failed`, message, 'Open a trace (`hpss … --trace FILE` or saved from this app), a pcap/pcapng capture or a brz -Dhpss log.');
    }
  };

  const save = () => {
    const events = queue.log.events();
    const summary = describeSavedTrace(traceCoverage(events), queue.log.clearedAt, queue.log.overwritten, MAX_LOGGED);
    dispatch({ type: 'notice', notice: { level: 'info', title: 'Trace saved', message: summary } });
    download(serializeTrace(events), 'application/x-ndjson', `hpss-trace-${stamp()}.jsonl`);
  };

  return (
    <div className="trace-controls">
      <input
        ref={input}
        type="file"
        accept=".jsonl,.json,.trace,.pcap,.pcapng,.cap,.log,application/x-ndjson,application/vnd.tcpdump.pcap"
        hidden
        data-testid="trace-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void open(f);
        }}
      />
      <Button onClick={() => input.current?.click()} title="Open a trace file (JSON Lines), a pcap/pcapng capture or a brz -Dhpss log">
        Open trace…
      </Button>
      <Button onClick={save} title="Save the events shown as a trace file" testId="save-trace">
        Save trace
      </Button>
      <details className="export-menu" ref={menu}>
        <summary className="btn btn-plain" data-testid="export-pcapng" title="Export calls as a pcapng for Wireshark or tshark">
          Export…
        </summary>
        <div className="export-menu-items">
          <Button onClick={() => exportAndClose(null)} testId="export-all">
            All calls (pcapng)
          </Button>
          <Button onClick={() => exportAndClose(selected)} disabled={!selected} testId="export-selected" title={selected ? `Call ${selected}` : 'Select a call first'}>
            Selected call (pcapng)
          </Button>
        </div>
      </details>
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
