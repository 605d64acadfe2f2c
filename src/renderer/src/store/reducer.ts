/**
 * The one reducer: pure over typed actions (see calls-reducer.ts for the one shared
 * index), closed by an exhaustiveness check. An event batch is applied in one pass,
 * each event guarded on its own so one malformed event cannot drop the batch.
 */
import type { EngineEvent } from '../../../shared/events';
import { type Action, assertNever } from './actions';
import { CallsDraft, DEFAULT_CALL_CAP, emptyCalls, outcomeOf } from './calls-reducer';
import { emptyMediums, MediumsDraft } from './mediums-reducer';
import { probeEvent, probeStarted } from './probes-reducer';
import { emptySeries, SeriesDraft } from './series-reducer';
import type { AppState, OwnerTrouble, OwnersSlice, UiSlice } from './types';

/** The owner's last trouble: an upstream failure (`bad`) outranks a failed call (`warn`) for a minute. */
function noteTrouble(owners: OwnersSlice, ownerId: string, level: OwnerTrouble['level'], text: string, t: number): OwnersSlice {
  const last = owners.trouble[ownerId];
  const keepBad = last?.level === 'bad' && level === 'warn' && t - last.t < 60_000;
  const next: OwnerTrouble = keepBad ? { ...last, failures: last.failures + 1 } : { level, text, t, failures: (last?.failures ?? 0) + 1 };
  return { ...owners, trouble: { ...owners.trouble, [ownerId]: next } };
}

export const MAX_NOTICES = 5;
const ENGINE_HINT = 'The servers and proxies keep running; check the disk and folder of the trace file, then start a new trace.';

export function initialState(callCap = DEFAULT_CALL_CAP, theme: UiSlice['theme'] = 'system'): AppState {
  return {
    mediums: emptyMediums(),
    calls: emptyCalls(callCap),
    owners: { list: [], listener: {}, trouble: {} },
    probes: { runs: [] },
    series: emptySeries(),
    ui: {
      selectedCallId: null,
      filters: { verb: '', mediumId: '', vfsOnly: false, failuresOnly: false, search: '' },
      theme,
      clientRefuseVfs: false,
      notices: [],
      nextNoticeId: 1,
      lastSeq: 0,
      traceFile: null,
      connection: 'connecting',
    },
  };
}

function applyEvents(state: AppState, events: EngineEvent[]): AppState {
  const calls = new CallsDraft(state.calls);
  const mediums = new MediumsDraft(state.mediums);
  const series = new SeriesDraft(state.series);
  let { probes, owners } = state;
  let lastSeq = state.ui.lastSeq;
  let { notices, nextNoticeId } = state.ui;
  for (const e of events) {
    // Replay and live stream overlap at the seam: seq tells what is already in.
    if (typeof e?.seq !== 'number' || e.seq <= lastSeq) continue;
    try {
      switch (e.type) {
        case 'medium-opened':
        case 'medium-closed':
        case 'timeout':
          mediums.apply(e);
          calls.apply(e);
          break;
        case 'connection-setup':
          mediums.apply(e);
          calls.apply(e);
          break;
        case 'error': {
          // A failed set-up's error is its set-up row already.
          const setupFailed = e.mediumId !== undefined && mediums.neverOpened(e.mediumId);
          mediums.apply(e);
          if (!setupFailed) calls.apply(e);
          const ownerId = e.mediumId === undefined ? undefined : mediums.get(e.mediumId)?.ownerId;
          if (ownerId && e.fatal) owners = noteTrouble(owners, ownerId, 'bad', e.message, e.t);
          // The engine's own trouble (a trace it can no longer write) belongs to no connection: say it aloud.
          if (e.mediumId === undefined && e.kind === 'internal') {
            notices = [...notices, { id: nextNoticeId++, level: 'error' as const, title: 'Engine problem', message: e.message, hint: ENGINE_HINT }].slice(-MAX_NOTICES);
          }
          break;
        }
        case 'bytes':
          mediums.apply(e);
          series.bytesAt(e.t, e.count);
          break;
        case 'call-started':
          mediums.apply(e);
          calls.apply(e);
          series.call(e.t);
          break;
        case 'call-finished': {
          mediums.apply(e);
          const failed = calls.apply(e);
          const ownerId = failed && mediums.get(e.mediumId)?.ownerId;
          if (ownerId) {
            const outcome = outcomeOf(failed);
            const upstream = outcome.result === 'upstream unreachable';
            owners = noteTrouble(owners, ownerId, upstream ? 'bad' : 'warn', `${e.verb}: ${outcome.result}${outcome.meaning ? ` — ${outcome.meaning}` : ''}`, e.t);
          }
          break;
        }
        case 'policy-action':
          calls.apply(e);
          break;
        case 'listener':
          owners = { ...owners, listener: { ...owners.listener, [e.ownerId]: { state: e.state, url: e.url, message: e.message } } };
          break;
        case 'probe-step':
        case 'probe-verdict':
          probes = probeEvent(probes, e);
          break;
        default:
          assertNever(e);
      }
      lastSeq = e.seq;
    } catch {
      // A malformed event (e.g. from a hand-edited trace) is skipped; the rest still apply.
    }
  }
  return {
    ...state,
    calls: calls.finish(),
    mediums: mediums.finish(),
    series: series.finish(),
    probes,
    owners,
    ui: lastSeq === state.ui.lastSeq && notices === state.ui.notices ? state.ui : { ...state.ui, lastSeq, notices, nextNoticeId },
  };
}

function withUi(state: AppState, patch: Partial<UiSlice>): AppState {
  return { ...state, ui: { ...state.ui, ...patch } };
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'events':
      return action.events.length ? applyEvents(state, action.events) : state;
    case 'reset': {
      const fresh = initialState(state.calls.cap, state.ui.theme);
      return { ...fresh, owners: { ...state.owners, trouble: {} }, ui: { ...fresh.ui, clientRefuseVfs: state.ui.clientRefuseVfs, connection: state.ui.connection, notices: state.ui.notices, nextNoticeId: state.ui.nextNoticeId } };
    }
    case 'clear-activity':
      // lastSeq stays: a later replay must not bring the cleared events back.
      return { ...state, mediums: emptyMediums(), calls: emptyCalls(state.calls.cap), series: emptySeries(), owners: { ...state.owners, trouble: {} }, ui: { ...state.ui, selectedCallId: null } };
    case 'trace-shown':
      return withUi(state, { traceFile: action.file });
    case 'owners':
      return { ...state, owners: { ...state.owners, list: action.owners } };
    case 'owner-updated': {
      const exists = state.owners.list.some((o) => o.ownerId === action.owner.ownerId);
      const list = exists ? state.owners.list.map((o) => (o.ownerId === action.owner.ownerId ? action.owner : o)) : [...state.owners.list, action.owner];
      return { ...state, owners: { ...state.owners, list } };
    }
    case 'owner-removed':
      return { ...state, owners: { ...state.owners, list: state.owners.list.filter((o) => o.ownerId !== action.ownerId) } };
    case 'probe-started':
      return { ...state, probes: probeStarted(state.probes, { probeId: action.probeId, url: action.url, startedAt: action.t }) };
    case 'select-call':
      return withUi(state, { selectedCallId: action.callId });
    case 'filters':
      return withUi(state, { filters: { ...state.ui.filters, ...action.filters } });
    case 'theme':
      return withUi(state, { theme: action.theme });
    case 'client-refuse-vfs':
      return withUi(state, { clientRefuseVfs: action.enabled });
    case 'notice': {
      const notice = { ...action.notice, id: state.ui.nextNoticeId };
      return withUi(state, { notices: [...state.ui.notices, notice].slice(-MAX_NOTICES), nextNoticeId: notice.id + 1 });
    }
    case 'dismiss-notice':
      return withUi(state, { notices: state.ui.notices.filter((n) => n.id !== action.id) });
    case 'connection':
      return withUi(state, { connection: action.state });
    default:
      return assertNever(action);
  }
}
