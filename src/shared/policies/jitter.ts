/**
 * Jitter: each delay that is set (`--latency` on requests, `--response-delay` on responses)
 * gets a uniform random 0..MS added, drawn afresh per request and per response, so a
 * connection's timing varies as a real network's does.
 */
import { checkWhole, definePolicy, wholeNumberText } from './policy';

/** The delays it varies are the latency and response-delay policies' fields. */
export interface JitterSettings {
  jitterMs: number;
  latencyMs?: number;
  responseDelayMs?: number;
}

/** A whole number of milliseconds from 0 to `max`, uniform. */
function draw(max: number): number {
  return Math.floor(Math.random() * (max + 1));
}

export const jitterPolicy = definePolicy<JitterSettings>({
  id: 'jitter',
  label: 'Jitter',
  help: 'add a random 0..N ms to each delayed request and response',
  defaults: { jitterMs: 0 },
  check: (o, path) => (o.jitterMs === undefined ? {} : { jitterMs: checkWhole(o.jitterMs, `${path}.jitterMs`, 600_000) }),
  inputs: [
    {
      flag: 'jitter',
      label: 'Jitter on the delays',
      help: 'up to this many milliseconds more, at random, on each delayed request (--latency) and response (--response-delay)',
      type: 'number',
      unit: 'ms',
      show: (s) => String(s.jitterMs),
      parse: (v) => ({ jitterMs: wholeNumberText(v, '--jitter') }),
    },
  ],
  // Jitter varies the other delays: with none set it changes nothing, so it shows nothing.
  chips: (s) => (s.jitterMs > 0 && (s.latencyMs || s.responseDelayMs) ? [`jitter 0–${s.jitterMs} ms`] : []),
  request: (_head, s) => {
    if (s.jitterMs === 0 || !s.latencyMs) return null;
    const ms = draw(s.jitterMs);
    return { kind: 'delay', ms, action: `jitter: delayed the request ${ms} ms more` };
  },
  responseStart: (_verb, s) => {
    if (s.jitterMs === 0 || !s.responseDelayMs) return null;
    const ms = draw(s.jitterMs);
    return { delayMs: ms, action: `jitter: delayed the response ${ms} ms more` };
  },
});
