/**
 * brz's own log (`~/.brz.log` or `$BRZ_LOG`) written with `-Dhpss` (and `-Dhpssdetail`) →
 * trace events: per client medium brz built, its calls with verb, arguments, status,
 * body sizes and durations, closed with the count brz reported (`HPSS calls: N (M vfs)`).
 *
 * What the log says (breezy/bzr/smart/protocol.py, message.py, medium.py):
 *   `Wed 2026-12-02 02:57:26 +0000`          a brz process starts (later lines: seconds since)
 *   `0.141  brz arguments: [...]`
 *   `0.213  hpss: Built a new medium: SmartTCPClientMedium`
 *   `0.215  hpss call:   b'BzrDir.open_2.1', b'trunk/'`   (also `w/body:`, `w/readv:`, `w/body stream: (…)`)
 *   `0.215               (to bzr://host:4155/trunk/)`
 *   `0.350                47 bytes`                        (request body; `N bytes in readv request`)
 *   `0.237     result:   (b'yes', b'yes')`                  (v3: a tuple; v1/v2: `[0.012s  ]b'ok', …`)
 *   `0.348                0 body bytes read`                (`N byte part read`, `N byte chunk read` with -Dhpssdetail)
 *   `[ 7348] 2026-12-02 02:57:26.834 INFO: HPSS calls: 11 (0 vfs) <…SmartTCPClientMedium object at 0x…>`
 * The log does not say whether a response was an error: a result whose first value is one
 * of the error names Breezy's server sends is taken as status `E`.
 */
import type { BodySummary, JsonValue, MediumKind } from '../events';
import { isVfsVerb, renderBytes, verbKind } from '../protocol';
import { ImportedEvents } from './imported-events';
import { parsePyValues, PyReprError, type PyValue } from './python-repr';
import type { EngineEvent } from '../events';

/** Error names a Breezy 3.3.2 server answers with (request.py `_translate_error`, the verb handlers, remote.py's translators). */
const ERROR_NAMES = new Set([
  'AlreadyControlDir', 'BadSearch', 'BranchReference', 'BzrCheckError', 'DirectoryNotEmpty', 'Diverged', 'FileExists',
  'GhostRevisionsHaveNoRevno', 'IncompatibleRepositories', 'InvalidURL', 'LockContention', 'LockFailed', 'MemoryError',
  'NoSuchFile', 'NoSuchRevision', 'NotStacked', 'PermissionDenied', 'ReadError', 'ReadOnlyError', 'RevisionNotPresent',
  'ShortReadvError', 'TipChangeRejected', 'TokenLockingNotSupported', 'TokenMismatch', 'UnicodeDecodeError',
  'UnicodeEncodeError', 'UnknownFormat', 'UnknownMethod', 'UnlockableTransport', 'UnresumableWriteGroup',
  'UnstackableBranchFormat', 'UnstackableRepositoryFormat', 'UnsuspendableWriteGroup', 'error', 'nobranch',
  'norepository', 'nosuchrevision',
]);

const MEDIUM_KINDS: Record<string, MediumKind> = {
  SmartTCPClientMedium: 'tcp-client',
  SmartSSHClientMedium: 'ssh-client',
  SmartSimplePipesClientMedium: 'pipes-client',
};

const SECTION = /^\w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)$/;
const RELATIVE = /^\s*(\d+\.\d{3}) {2}(.*)$/;
const ABSOLUTE = /^\[\s*\d+\] (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \w+: (.*)$/;

export interface BrzProcess {
  argv: string;
  /** `HPSS calls: N (M vfs)` as brz reported them, one per medium. */
  reported: { calls: number; vfsCalls: number }[];
  /** Calls read from the log. */
  calls: number;
}

export interface BrzLogImport {
  events: EngineEvent[];
  processes: BrzProcess[];
  problems: string[];
}

interface Medium {
  id: string;
  kind: MediumKind;
  openedAt: number;
  peer: string;
  calls: number;
  vfsCalls: number;
  closed: boolean;
}

interface Call {
  medium: Medium;
  callId: string;
  t: number;
  verb: string;
  args: JsonValue[];
  requestBody: BodySummary | null;
  streamed: boolean;
  result: { t: number; values: PyValue[]; tuple: boolean; seconds: number | null } | null;
  responseBody: { length: number; parts: number } | null;
}

/** Whether `text` looks like a brz log with HPSS lines (for telling a log from other files). */
export function isBrzLog(text: string): boolean {
  return /^\s*\d+\.\d{3} {2}(brz arguments:|hpss call)/m.test(text) || /INFO: HPSS calls: \d+/.test(text);
}

export function importBrzLog(text: string): BrzLogImport {
  return new BrzLogReader().read(text);
}

function toJson(v: PyValue): JsonValue {
  if (v instanceof Uint8Array) return renderBytes(v);
  if (Array.isArray(v)) return v.map(toJson);
  return v;
}

function text(v: PyValue | undefined): string {
  return v instanceof Uint8Array ? renderBytes(v) : typeof v === 'string' ? v : '';
}

class BrzLogReader {
  private readonly out = new ImportedEvents();
  private readonly processes: BrzProcess[] = [];
  private readonly problems: string[] = [];
  private base = 0;
  /** The section's UTC offset (`+00:00`): brz writes its absolute times in the same local time. */
  private zone = 'Z';
  private process: BrzProcess | null = null;
  private mediums: Medium[] = [];
  private medium: Medium | null = null;
  private call: Call | null = null;
  private mediumSeq = 0;
  private callSeq = 0;
  private lastT = 0;

  read(input: string): BrzLogImport {
    const lines = input.split('\n');
    lines.forEach((line, i) => {
      try {
        this.line(line.replace(/\r$/, ''));
      } catch (err) {
        if (!(err instanceof PyReprError)) throw err;
        this.problems.push(`line ${i + 1}: cannot read the values: ${err.message}`);
      }
    });
    this.endProcess();
    return { events: this.out.stamped(), processes: this.processes, problems: this.problems };
  }

  private line(line: string): void {
    const section = SECTION.exec(line);
    if (section) {
      this.endProcess();
      const [, date, time, zh, zm] = section;
      this.zone = `${zh}:${zm}`;
      // The header has whole seconds only, so a process may seem to start up to 1 s early:
      // processes append to the log one after another, so none starts before the last ended.
      this.base = Math.max(Date.parse(`${date}T${time}${this.zone}`), this.lastT);
      this.lastT = this.base;
      return;
    }
    const absolute = ABSOLUTE.exec(line);
    if (absolute) {
      const t = Date.parse(`${absolute[1]}T${absolute[2]}${this.zone}`);
      this.message(absolute[3], Number.isNaN(t) ? this.lastT : Math.max(t, this.lastT));
      return;
    }
    const relative = RELATIVE.exec(line);
    if (relative) this.message(relative[2], this.base + Number(relative[1]) * 1000);
  }

  private message(m: string, t: number): void {
    this.lastT = t;
    let match: RegExpExecArray | null;
    if ((match = /^brz arguments: (.*)$/.exec(m))) {
      this.endProcess();
      this.process = { argv: match[1], reported: [], calls: 0 };
      this.processes.push(this.process);
    } else if ((match = /^hpss: Built a new medium: (\w+)/.exec(m))) {
      this.medium = this.openMedium(match[1], t);
    } else if ((match = /^hpss call(?:( w\/body stream)|( w\/body)|( w\/readv))?:\s+(.*)$/.exec(m))) {
      this.startCall(match[4], t, { stream: !!match[1], body: !!match[2] });
    } else if ((match = /^\(to (\S+)\)$/.exec(m.trim())) && this.medium && this.medium.peer === '') {
      this.medium.peer = peerOf(match[1]);
    } else if ((match = /^result:\s+(?:(\d+\.\d+)s\s+)?(.*)$/.exec(m.trim())) && this.call && !this.call.result) {
      const tuple = match[2].startsWith('(');
      const values = parsePyValues(match[2]);
      this.call.result = { t, values: tuple && values.length === 1 && Array.isArray(values[0]) ? values[0] : values, tuple, seconds: match[1] ? Number(match[1]) : null };
    } else if ((match = /^(\d+) bytes( in readv request)?$/.exec(m.trim())) && this.call && !this.call.result) {
      this.call.requestBody = { length: Number(match[1]), parts: 1, preview: this.call.requestBody?.preview ?? '' };
    } else if ((match = /^(\d+) (body bytes|byte part|byte chunk) read$/.exec(m.trim())) && this.call?.result) {
      const body = (this.call.responseBody ??= { length: 0, parts: 0 });
      body.length += Number(match[1]);
      body.parts += 1;
    } else if ((match = /^HPSS calls: (\d+) \((\d+) vfs\) <?([\w.]*)/.exec(m))) {
      this.reported(Number(match[1]), Number(match[2]), match[3].split('.').pop() ?? '', t);
    } else if (/^return code /.test(m)) {
      this.finishCall();
    }
  }

  private openMedium(className: string, t: number): Medium {
    const medium: Medium = { id: `m${++this.mediumSeq}`, kind: MEDIUM_KINDS[className] ?? 'socket-client', openedAt: t, peer: '', calls: 0, vfsCalls: 0, closed: false };
    this.mediums.push(medium);
    return medium;
  }

  private startCall(argsText: string, t: number, how: { stream: boolean; body: boolean }): void {
    this.finishCall();
    // `w/body:` is followed by ` (b'first 20 body bytes'...)`; `w/body stream:` by a whole tuple.
    let argsPart = argsText;
    let preview = '';
    if (how.body) {
      const cut = argsText.lastIndexOf(' (');
      if (cut > 0) {
        argsPart = argsText.slice(0, cut);
        const head = /^ \((.*)\.\.\.\)$/.exec(argsText.slice(cut));
        if (head) preview = text(parsePyValues(head[1])[0]);
      }
    }
    let values = parsePyValues(argsPart);
    if (how.stream && values.length === 1 && Array.isArray(values[0])) values = values[0];
    const medium = this.medium ?? (this.medium = this.openMedium('', t));
    const verb = text(values[0]);
    medium.calls++;
    if (isVfsVerb(verb)) medium.vfsCalls++;
    if (this.process) this.process.calls++;
    this.call = {
      medium,
      callId: `c${++this.callSeq}`,
      t,
      verb,
      args: values.slice(1).map(toJson),
      requestBody: how.body ? { length: 0, parts: 1, preview } : null,
      streamed: how.stream,
      result: null,
      responseBody: null,
    };
  }

  private finishCall(): void {
    const call = this.call;
    if (!call) return;
    this.call = null;
    const { medium, result } = call;
    this.out.add(
      {
        type: 'call-started',
        mediumId: medium.id,
        callId: call.callId,
        // The log shows v3 results as a tuple's repr, v1/v2 ones without the parentheses.
        protocol: result && !result.tuple ? 2 : 3,
        verb: call.verb,
        args: call.args,
        verbKind: verbKind(call.verb),
        vfs: isVfsVerb(call.verb),
        requestBody: call.requestBody,
      },
      call.t,
    );
    const end = result ? result.t : this.lastT;
    const body = call.responseBody;
    this.out.add(
      {
        type: 'call-finished',
        mediumId: medium.id,
        callId: call.callId,
        verb: call.verb,
        status: result ? (ERROR_NAMES.has(text(result.values[0])) ? 'E' : 'S') : null,
        args: result ? result.values.map(toJson) : [],
        responseBody: body ? { length: body.length, parts: Math.max(1, body.parts), preview: '' } : null,
        durationMs: result?.seconds != null ? result.seconds * 1000 : end - call.t,
        ...(result ? {} : { error: { kind: 'transport' as const, message: 'the log shows no result for this call' } }),
      },
      end,
    );
  }

  /** brz reports each medium's count when the medium goes (or at exit): the first open medium with that many calls, else the oldest open. */
  private reported(calls: number, vfsCalls: number, className: string, t: number): void {
    this.finishCall();
    this.process?.reported.push({ calls, vfsCalls });
    const open = this.mediums.filter((m) => !m.closed);
    const medium = open.find((m) => m.calls === calls && m.vfsCalls === vfsCalls) ?? open[0];
    if (!medium) {
      this.problems.push(`brz reported HPSS calls: ${calls} (${vfsCalls} vfs) for a ${className || 'medium'} the log never showed being built`);
      return;
    }
    if (medium.calls !== calls || medium.vfsCalls !== vfsCalls) {
      this.problems.push(`brz reported HPSS calls: ${calls} (${vfsCalls} vfs) for ${medium.id}; its log lines show ${medium.calls} (${medium.vfsCalls} vfs)`);
    }
    this.closeMedium(medium, t, `brz reported HPSS calls: ${calls} (${vfsCalls} vfs)`);
  }

  private closeMedium(medium: Medium, t: number, reason: string): void {
    medium.closed = true;
    this.out.add({ type: 'medium-opened', mediumId: medium.id, kind: medium.kind, role: 'client', peer: medium.peer || 'unknown' }, medium.openedAt);
    this.out.add({ type: 'medium-closed', mediumId: medium.id, reason, calls: medium.calls, vfsCalls: medium.vfsCalls }, t);
    if (this.medium === medium) this.medium = null;
  }

  private endProcess(): void {
    this.finishCall();
    for (const m of this.mediums) if (!m.closed) this.closeMedium(m, this.lastT, 'the log ends without brz reporting its calls');
    this.mediums = [];
    this.medium = null;
    this.process = null;
  }
}

/** `host:port` of a bzr URL (brz's defaults when absent); the URL itself when it does not parse. */
function peerOf(url: string): string {
  const m = /^([a-z+]+):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(url);
  if (!m) return url;
  const port = m[3] ?? (m[1] === 'bzr' ? '4155' : m[1].includes('ssh') ? '22' : '');
  return port ? `${m[2]}:${port}` : m[2];
}
