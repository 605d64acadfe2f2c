/** The UI's state, in slices: mediums, calls, owners, probes, ui. Plain data only. */
import type { OwnerInfo } from '../../../shared/api';
import type { BodySummary, EngineEvent, JsonObject, JsonValue, MediumKind, MediumRole, RawBytes, SetupPhase } from '../../../shared/events';
import type { Severity } from '../../../shared/call-outcome';
import type { MediumCounters } from '../../../shared/medium-counters';

export interface MediumRow extends MediumCounters {
  mediumId: string;
  kind: MediumKind;
  role: MediumRole;
  peer: string;
  ownerId?: string;
  /** `idle`: a client medium between connections (its next use reconnects). */
  state: 'open' | 'idle' | 'closed';
  closeReason?: string;
  openedAt: number;
  closedAt?: number;
  /** Last time bytes or a call went over it (for "idle N s"). */
  lastActivityAt: number;
  /** A proxy's client connection and its upstream name each other. */
  pairId?: string;
}

type CallStarted = Extract<EngineEvent, { type: 'call-started' }>;
type CallFinished = Extract<EngineEvent, { type: 'call-finished' }>;

/** A call as its `call-started` told it, completed by its `call-finished`. */
export interface CallRecord extends Pick<CallStarted, 'callId' | 'mediumId' | 'protocol' | 'verb' | 'args' | 'verbKind' | 'vfs' | 'requestBody'> {
  row: 'call';
  startedAt: number;
  /** Milliseconds since the previous call on the same connection started (null: the first). */
  sincePrevMs: number | null;
  /** The whole request and response on the wire, in bytes (null: not recorded). */
  requestBytes: number | null;
  responseBytes: number | null;
  /** A later call showed a negative answer was expected (brz created the bzrdir next). */
  expected?: boolean;
  /** `pending` until `call-finished` arrives. */
  status: CallFinished['status'] | 'pending';
  responseArgs: JsonValue[] | null;
  responseBody: BodySummary | null;
  durationMs: number | null;
  /** The part of `durationMs` spent waiting on the peer (absent: not known). */
  peerMs?: number;
  finishedAt: number | null;
  error?: CallFinished['error'];
  /** Policy actions taken on this call (e.g. refused as VFS). */
  policyActions?: string[];
  /** v3 headers (null: v1/v2, none) and first bytes on the wire; absent when not recorded. */
  requestHeaders?: JsonObject | null;
  requestRaw?: RawBytes;
  responseHeaders?: JsonObject | null;
  responseRaw?: RawBytes;
}

/** What happened to a connection, as a row between its calls: set-up, connect, disconnect, timeout, error, a policy's action on no call. */
export interface ConnectionRow {
  row: 'conn';
  /** `e` + the event's seq: unique, never a call id. */
  rowId: string;
  mediumId: string;
  startedAt: number;
  event: 'setup' | 'connect' | 'disconnect' | 'timeout' | 'error' | 'policy';
  text: string;
  severity: Severity;
  /** A set-up's phases and whole time (`event: 'setup'`; `startedAt` is its start). */
  setup?: { phases: SetupPhase[]; totalMs: number };
}

export type ListRow = CallRecord | ConnectionRow;

export function rowKey(r: ListRow): string {
  return r.row === 'call' ? r.callId : r.rowId;
}

export interface CallsSlice {
  /** Oldest first; at most `cap` rows (the oldest are dropped). */
  list: ListRow[];
  /** rowKey → absolute position; array index = position − `base`. Kept on append. */
  index: Map<string, number>;
  base: number;
  cap: number;
  /** Calls in `list` (the rest of its rows are connection events). */
  callCount: number;
  /** Rows dropped by the cap since the start. */
  dropped: number;
  /** Every verb seen, sorted (for the verb filter); kept on append, not scanned. */
  verbs: string[];
  /** Policy actions waiting for their call (policies decide before `call-started`), by callId. */
  pendingPolicy: Record<string, { mediumId: string; actions: string[] }>;
  /** How many of the newest calls keep their raw bytes. */
  rawKept: number;
  /** Absolute position below which raw bytes have been dropped. */
  rawFloor: number;
}

export interface MediumsSlice {
  byId: Record<string, MediumRow>;
  /** Ids, newest first. */
  order: string[];
  /**
   * Mediums whose set-up failed before they ever opened (newest last, at most
   * MAX_FAILED_SETUPS): their calls and errors make no row here (no phantom connection).
   */
  failedSetups: string[];
}

export interface OwnersSlice {
  list: OwnerInfo[];
  /** Last listener state per owner, from `listener` events. */
  listener: Record<string, Pick<Extract<EngineEvent, { type: 'listener' }>, 'state' | 'url' | 'message'>>;
  /** Last trouble per owner: `bad` for its upstream failing, `warn` for a call that failed. */
  trouble: Record<string, OwnerTrouble>;
}

export interface OwnerTrouble {
  level: 'warn' | 'bad';
  text: string;
  t: number;
  /** Failed calls and connection errors seen for this owner. */
  failures: number;
}

export type ProbeStep = Pick<Extract<EngineEvent, { type: 'probe-step' }>, 'step' | 'ok' | 'ms' | 'bytes' | 'detail'>;

export interface ProbeRun {
  probeId: string;
  url: string;
  startedAt: number;
  steps: ProbeStep[];
  /** When the last step ended (or the run started): the next step's clock starts there. */
  lastStepAt: number;
  verdict?: Pick<Extract<EngineEvent, { type: 'probe-verdict' }>, 'ok' | 'verdict' | 'fix'>;
}

export interface ProbesSlice {
  /** Newest first, at most MAX_PROBES. */
  runs: ProbeRun[];
}

/** Per-second buckets for the charts, the last SERIES_SECONDS seconds. */
export interface SeriesSlice {
  /** Unix second of the last bucket. */
  endSecond: number;
  calls: number[];
  bytes: number[];
}

export interface CallFilters {
  verb: string;
  mediumId: string;
  vfsOnly: boolean;
  /** Only what made brz fail (calls and connection events of severity `fail`). */
  failuresOnly: boolean;
  search: string;
}

export type ThemeChoice = 'system' | 'light' | 'dark';

export interface Notice {
  id: number;
  level: 'error' | 'info';
  /** What failed, in the user's words ("Starting the proxy"). */
  title: string;
  message: string;
  /** What to try. */
  hint?: string;
}

export interface UiSlice {
  selectedCallId: string | null;
  filters: CallFilters;
  theme: ThemeChoice;
  clientRefuseVfs: boolean;
  notices: Notice[];
  nextNoticeId: number;
  lastSeq: number;
  /** Set while a trace file is shown instead of the live engine. */
  traceFile: { name: string; events: number } | null;
  connection: 'connecting' | 'live' | 'lost';
}

export interface AppState {
  mediums: MediumsSlice;
  calls: CallsSlice;
  owners: OwnersSlice;
  probes: ProbesSlice;
  series: SeriesSlice;
  ui: UiSlice;
}
