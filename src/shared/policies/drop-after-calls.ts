/** Cut the connection once its N-th call has been answered. */
import { checkWhole, definePolicy, wholeNumberText } from './policy';

export const dropAfterCallsPolicy = definePolicy({
  id: 'drop-after-calls',
  label: 'Drop after calls',
  help: 'cut the connection after its N-th call is answered (0 = never)',
  defaults: { dropAfterCalls: 0 },
  check: (o, path) => (o.dropAfterCalls === undefined ? {} : { dropAfterCalls: checkWhole(o.dropAfterCalls, `${path}.dropAfterCalls`, 1_000_000) }),
  inputs: [
    { flag: 'drop-after-calls', label: 'Drop after call N (0 = never)', help: 'calls answered before the connection is cut', type: 'number', show: (s) => String(s.dropAfterCalls), parse: (v) => ({ dropAfterCalls: wholeNumberText(v, '--drop-after-calls') }) },
  ],
  chips: (s) => (s.dropAfterCalls > 0 ? [`drops after call ${s.dropAfterCalls}`] : []),
  callFinished: (done, s) =>
    s.dropAfterCalls > 0 && done >= s.dropAfterCalls
      ? { action: `dropped the connection after call ${done}`, reason: `policy dropped the connection after ${done} calls` }
      : null,
});
