/** Added latency: each request waits this long before it is handled. */
import { checkWhole, definePolicy, wholeNumberText } from './policy';

export const latencyPolicy = definePolicy({
  id: 'latency',
  label: 'Added latency',
  help: 'hold every request this long before handling it',
  defaults: { latencyMs: 0 },
  check: (o, path) => (o.latencyMs === undefined ? {} : { latencyMs: checkWhole(o.latencyMs, `${path}.latencyMs`, 600_000) }),
  inputs: [
    { flag: 'latency', label: 'Added latency per call', help: 'milliseconds added before each request is handled', type: 'number', unit: 'ms', show: (s) => String(s.latencyMs), parse: (v) => ({ latencyMs: wholeNumberText(v, '--latency') }) },
  ],
  chips: (s) => (s.latencyMs > 0 ? [`+${s.latencyMs} ms per call`] : []),
  request: (_head, s) => (s.latencyMs > 0 ? { kind: 'delay', ms: s.latencyMs, action: `delayed the request ${s.latencyMs} ms` } : null),
});
