/**
 * Connects the store to the engine: subscribes first and holds live batches back
 * until the replay of recent events is in, so the view starts complete and in order
 * (the reducer drops what both delivered, by seq). While a trace file is shown, live
 * events are not applied.
 */
import type { EngineEvent } from '../../../shared/events';
import { api, call } from '../api/api';
import { EventQueue } from '../store/event-queue';
import { appStore, dispatch } from '../store/store';
import { nextFrame } from './frame-scheduler';

export const queue = new EventQueue((events) => dispatch({ type: 'events', events }), nextFrame);

let held: EngineEvent[][] | null = null;

function onBatch(batch: EngineEvent[]): void {
  if (appStore.getState().ui.traceFile) return;
  if (held) held.push(batch);
  else queue.push(batch);
}

export async function replayFromEngine(): Promise<void> {
  held = [];
  const recent = await call('Loading recent activity', 'ui:events:replay', null);
  if (recent) queue.push(recent);
  for (const b of held) queue.push(b);
  held = null;
  const owners = await call('Listing servers and proxies', 'ui:owners:list', null);
  if (owners) dispatch({ type: 'owners', owners });
  // The engine holds the app client's settings; the store only mirrors them.
  const client = await call("Reading the app client's settings", 'ui:client:state', null);
  if (client) dispatch({ type: 'client-refuse-vfs', enabled: client.refuseVfs });
}

export function startLive(): () => void {
  const unsubscribe = api.onEvents(onBatch);
  if (window.hpss) dispatch({ type: 'connection', state: 'live' });
  void replayFromEngine();
  // Events emitted while the WebSocket was down are in the engine's ring: fetch them again.
  const unwatch = appStore.subscribe((s, prev) => {
    if (prev.ui.connection === 'lost' && s.ui.connection === 'live' && !s.ui.traceFile) void replayFromEngine();
  });
  return () => {
    unwatch();
    unsubscribe();
  };
}

/** Leaves a shown trace file: clears the view and reloads the engine's recent events. */
export async function backToLive(): Promise<void> {
  queue.clear();
  dispatch({ type: 'reset' });
  dispatch({ type: 'trace-shown', file: null });
  await replayFromEngine();
}

/** "Clear": forgets what is shown, and what "Save trace" would write. */
export function clearActivity(): void {
  queue.log.clear(Date.now());
  dispatch({ type: 'clear-activity' });
}
