/** Slow answers: each response waits this long before its first byte goes out. */
import { checkWhole, definePolicy, wholeNumberText } from './policy';

export const responseDelayPolicy = definePolicy({
  id: 'response-delay',
  label: 'Delay responses',
  help: 'hold every response this long before sending it',
  defaults: { responseDelayMs: 0 },
  check: (o, path) => (o.responseDelayMs === undefined ? {} : { responseDelayMs: checkWhole(o.responseDelayMs, `${path}.responseDelayMs`, 600_000) }),
  inputs: [
    { flag: 'response-delay', label: 'Delay responses only', help: 'milliseconds before each response', type: 'number', unit: 'ms', show: (s) => String(s.responseDelayMs), parse: (v) => ({ responseDelayMs: wholeNumberText(v, '--response-delay') }) },
  ],
  chips: (s) => (s.responseDelayMs > 0 ? [`responses +${s.responseDelayMs} ms`] : []),
  responseStart: (_verb, s) => (s.responseDelayMs > 0 ? { delayMs: s.responseDelayMs, action: `delayed the response ${s.responseDelayMs} ms` } : null),
});
