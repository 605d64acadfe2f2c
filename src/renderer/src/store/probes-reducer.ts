/** Probe runs: started by the UI (with their URL), filled by `probe-step` and `probe-verdict` events. */
import type { EngineEvent } from '../../../shared/events';
import type { ProbeRun, ProbesSlice } from './types';

export const MAX_PROBES = 20;

type ProbeEvent = Extract<EngineEvent, { type: 'probe-step' | 'probe-verdict' }>;

export function probeStarted(slice: ProbesSlice, run: Pick<ProbeRun, 'probeId' | 'url' | 'startedAt'>): ProbesSlice {
  if (slice.runs.some((r) => r.probeId === run.probeId)) return slice;
  return { runs: [{ ...run, steps: [], lastStepAt: run.startedAt }, ...slice.runs].slice(0, MAX_PROBES) };
}

export function probeEvent(slice: ProbesSlice, e: ProbeEvent): ProbesSlice {
  let runs = slice.runs;
  if (!runs.some((r) => r.probeId === e.probeId)) runs = probeStarted(slice, { probeId: e.probeId, url: '', startedAt: e.t }).runs;
  return {
    runs: runs.map((r) => {
      if (r.probeId !== e.probeId) return r;
      if (e.type === 'probe-step') return { ...r, lastStepAt: e.t, steps: [...r.steps, { step: e.step, ok: e.ok, ms: e.ms, bytes: e.bytes, detail: e.detail }] };
      return { ...r, verdict: { ok: e.ok, verdict: e.verdict, fix: e.fix } };
    }),
  };
}
