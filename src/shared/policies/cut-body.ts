/** Cut the connection in the middle of the first body part of a response to this verb. */
import { checkVerbOrNull, definePolicy } from './policy';

export const cutBodyPolicy = definePolicy({
  id: 'cut-body',
  label: 'Cut a response body',
  help: "cut the connection in the middle of this verb's response body",
  defaults: { cutBodyOfVerb: null as string | null },
  check: (o, path) => (o.cutBodyOfVerb === undefined ? {} : { cutBodyOfVerb: checkVerbOrNull(o.cutBodyOfVerb, `${path}.cutBodyOfVerb`) }),
  inputs: [
    { flag: 'cut-body-of', label: 'Cut the response body of verb', help: 'a verb with a response body, e.g. get', type: 'verb', show: (s) => s.cutBodyOfVerb ?? '', parse: (v) => ({ cutBodyOfVerb: String(v).trim() || null }) },
  ],
  chips: (s) => (s.cutBodyOfVerb ? [`cuts the body of ${s.cutBodyOfVerb}`] : []),
  responseBody: (verb, s) => (s.cutBodyOfVerb === verb ? { action: 'cut the connection inside a response body', reason: `policy cut the response body of ${verb}` } : null),
});
