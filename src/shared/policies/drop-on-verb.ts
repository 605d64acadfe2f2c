/** Cut the connection when a request for this verb arrives (the call still shows, ended by the policy). */
import { checkVerbOrNull, definePolicy } from './policy';

export const dropOnVerbPolicy = definePolicy({
  id: 'drop-on-verb',
  label: 'Drop on verb',
  help: 'cut the connection when this verb is requested',
  defaults: { dropOnVerb: null as string | null },
  check: (o, path) => (o.dropOnVerb === undefined ? {} : { dropOnVerb: checkVerbOrNull(o.dropOnVerb, `${path}.dropOnVerb`) }),
  inputs: [
    { flag: 'drop-on-verb', label: 'Drop the connection on verb', help: 'a verb, e.g. Branch.lock_write', type: 'verb', show: (s) => s.dropOnVerb ?? '', parse: (v) => ({ dropOnVerb: String(v).trim() || null }) },
  ],
  chips: (s) => (s.dropOnVerb ? [`drops on ${s.dropOnVerb}`] : []),
  request: (head, s) => (s.dropOnVerb === head.verb ? { kind: 'drop', action: 'dropped the connection' } : null),
});
