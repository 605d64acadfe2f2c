/** A bandwidth cap, each direction: writes are paced (a token bucket in the core). */
import { checkWhole, definePolicy, wholeNumberText } from './policy';

export const bandwidthPolicy = definePolicy({
  id: 'bandwidth',
  label: 'Bandwidth cap',
  help: 'hold each direction to this many bytes a second (0 = no cap)',
  defaults: { bandwidthBytesPerSec: 0 },
  check: (o, path) => (o.bandwidthBytesPerSec === undefined ? {} : { bandwidthBytesPerSec: checkWhole(o.bandwidthBytesPerSec, `${path}.bandwidthBytesPerSec`, 2 ** 40) }),
  inputs: [
    { flag: 'bandwidth', label: 'Bandwidth cap (0 = none)', help: 'bytes a second, each direction', type: 'number', unit: 'B/s', show: (s) => String(s.bandwidthBytesPerSec), parse: (v) => ({ bandwidthBytesPerSec: wholeNumberText(v, '--bandwidth') }) },
  ],
  chips: (s) => (s.bandwidthBytesPerSec > 0 ? [`${Math.round(s.bandwidthBytesPerSec / 1024)} KiB/s cap`] : []),
  pace: (s) => s.bandwidthBytesPerSec,
});
