/** Answer one verb with a chosen error tuple instead of handling it (`LockContention`, `NoSuchFile`, …). */
import { checkText, checkTextList, checkVerbOrNull, definePolicy, invalid, listText } from './policy';

export interface ErrorVerb {
  verb: string;
  error: string[];
}

export const errorVerbPolicy = definePolicy({
  id: 'error-verb',
  label: 'Answer a verb with an error',
  help: 'answer this verb with the error tuple given (e.g. LockContention) instead of handling it',
  defaults: { errorVerb: null as ErrorVerb | null },
  check: (o, path) => {
    if (o.errorVerb === undefined) return {};
    const v = o.errorVerb;
    const at = `${path}.errorVerb`;
    if (v === null) return { errorVerb: null };
    if (typeof v !== 'object' || Array.isArray(v)) invalid(at, 'expected an object');
    const e = v as Record<string, unknown>;
    for (const key of Object.keys(e)) if (key !== 'verb' && key !== 'error') invalid(at, `unknown field '${key}'`);
    const verb = checkVerbOrNull(e.verb, `${at}.verb`);
    if (verb === null) invalid(`${at}.verb`, 'must name a verb');
    const error = checkTextList(e.error, `${at}.error`, 64);
    if (error.length === 0) invalid(`${at}.error`, 'needs at least the error name, e.g. ["LockContention"]');
    return { errorVerb: { verb, error: error.map((x, i) => checkText(x, `${at}.error[${i}]`)) } };
  },
  inputs: [
    {
      flag: 'error-verb',
      label: 'Answer verb with error',
      help: 'VERB=ERROR[,ARG…], e.g. Branch.lock_write=LockContention',
      type: 'text',
      show: (s) => (s.errorVerb ? `${s.errorVerb.verb}=${s.errorVerb.error.join(',')}` : ''),
      parse: (v) => {
        const text = String(v).trim();
        if (text === '') return { errorVerb: null };
        const eq = text.indexOf('=');
        if (eq <= 0) invalid('--error-verb', `'${text}' is not VERB=ERROR[,ARG…]`);
        return { errorVerb: { verb: text.slice(0, eq).trim(), error: listText(text.slice(eq + 1)) } };
      },
    },
  ],
  chips: (s) => (s.errorVerb ? [`${s.errorVerb.verb} → error ${s.errorVerb.error.join(' ')}`] : []),
  request: (head, s) =>
    s.errorVerb && s.errorVerb.verb === head.verb
      ? { kind: 'answer', answer: { status: 'E', args: [...s.errorVerb.error] }, action: `answered with error ${s.errorVerb.error.join(', ')}` }
      : null,
});
