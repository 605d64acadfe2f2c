/**
 * Breezy's `--client-timeout`: a client silent this long is disconnected, whether between
 * requests or in the middle of one (counted from its last byte). The connection core reads
 * the setting on every poll, so a change applies to running connections.
 */
import { checkSeconds, definePolicy, invalid } from './policy';

/** Breezy's `serve.client_timeout` default, in seconds. */
export const DEFAULT_CLIENT_TIMEOUT_SEC = 300;

export const clientTimeoutPolicy = definePolicy({
  id: 'client-timeout',
  label: 'Idle-client timeout',
  help: 'disconnect a client that sends nothing for this long (0 = never)',
  defaults: { clientTimeoutSec: DEFAULT_CLIENT_TIMEOUT_SEC },
  check: (o, path) => (o.clientTimeoutSec === undefined ? {} : { clientTimeoutSec: checkSeconds(o.clientTimeoutSec, `${path}.clientTimeoutSec`, 86_400) }),
  inputs: [
    {
      flag: 'client-timeout',
      label: 'Idle-client timeout (0 = off)',
      help: 'seconds a client may stay silent (Breezy default 300)',
      type: 'number',
      unit: 's',
      show: (s) => String(s.clientTimeoutSec),
      parse: (v) => {
        const text = String(v).trim();
        const seconds = Number(text);
        if (text === '' || !Number.isFinite(seconds) || seconds < 0) invalid('--client-timeout', `'${text}' is not a number of seconds ≥ 0`);
        return { clientTimeoutSec: seconds };
      },
    },
  ],
  // Only a timeout shorter than Breezy's is a fault a user set up; longer or off is not.
  chips: (s) => (s.clientTimeoutSec > 0 && s.clientTimeoutSec < DEFAULT_CLIENT_TIMEOUT_SEC ? [`cuts clients idle ${s.clientTimeoutSec} s`] : []),
});
