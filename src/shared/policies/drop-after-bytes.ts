/** Cut the connection once this many bytes have gone to the client (mid-message if it falls there). */
import { checkWhole, definePolicy, wholeNumberText } from './policy';

export const dropAfterBytesPolicy = definePolicy({
  id: 'drop-after-bytes',
  label: 'Drop after bytes',
  help: 'cut the connection once this many bytes went to the client (0 = never)',
  defaults: { dropAfterBytes: 0 },
  check: (o, path) => (o.dropAfterBytes === undefined ? {} : { dropAfterBytes: checkWhole(o.dropAfterBytes, `${path}.dropAfterBytes`, 2 ** 40) }),
  inputs: [
    { flag: 'drop-after-bytes', label: 'Drop after bytes (0 = never)', help: 'bytes sent to the client before the connection is cut', type: 'number', unit: 'B', show: (s) => String(s.dropAfterBytes), parse: (v) => ({ dropAfterBytes: wholeNumberText(v, '--drop-after-bytes') }) },
  ],
  chips: (s) => (s.dropAfterBytes > 0 ? [`drops after ${s.dropAfterBytes} bytes`] : []),
  outgoing: (sent, count, s) => {
    if (s.dropAfterBytes <= 0 || sent + count < s.dropAfterBytes) return null;
    return {
      allow: Math.max(0, s.dropAfterBytes - sent),
      action: `dropped the connection after ${s.dropAfterBytes} bytes`,
      reason: `policy dropped the connection after ${s.dropAfterBytes} bytes`,
    };
  },
});
