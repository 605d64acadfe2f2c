/**
 * Behave like an older or smaller server: answer requests newer than `maxProtocol` as a
 * server of that version would (brz then reconnects with an older protocol), answer some
 * verbs as unknown (brz falls back to older verbs), and announce another `Software version`.
 */
import { olderServerArgs, unknownMethodArgs, type BValue } from '../protocol';
import { checkTextList, checkText, definePolicy, invalid, listText } from './policy';

export interface Emulation {
  maxProtocol: 1 | 2 | 3;
  unknownVerbs: string[];
  softwareVersion: string | null;
}

const FIELDS = ['maxProtocol', 'unknownVerbs', 'softwareVersion'];

export const emulatePolicy = definePolicy({
  id: 'emulate',
  label: 'Emulate an older server',
  help: 'answer newer protocol versions and chosen verbs as an older server would, and announce its version',
  defaults: { emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: null } as Emulation },
  check: (o, path) => {
    if (o.emulate === undefined) return {};
    const at = `${path}.emulate`;
    const v = o.emulate;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(at, 'expected an object');
    const e = v as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!FIELDS.includes(key)) invalid(at, `unknown field '${key}'`);
    const max = e.maxProtocol ?? 3;
    if (max !== 1 && max !== 2 && max !== 3) invalid(`${at}.maxProtocol`, 'must be 1, 2 or 3');
    return {
      emulate: {
        maxProtocol: max as 1 | 2 | 3,
        unknownVerbs: e.unknownVerbs === undefined ? [] : checkTextList(e.unknownVerbs, `${at}.unknownVerbs`),
        softwareVersion: e.softwareVersion === undefined || e.softwareVersion === null ? null : checkText(e.softwareVersion, `${at}.softwareVersion`, 200),
      },
    };
  },
  inputs: [
    {
      flag: 'max-protocol',
      label: 'Newest protocol version',
      help: '1, 2 or 3: newer requests are answered as an older server would',
      type: 'number',
      show: (s) => String(s.emulate.maxProtocol),
      parse: (v, s) => ({ emulate: { ...s.emulate, maxProtocol: Number(String(v).trim()) as 1 | 2 | 3 } }),
    },
    {
      flag: 'unknown-verbs',
      label: 'Verbs answered as unknown',
      help: 'comma-separated, e.g. BzrDir.open_2.1 (brz falls back to older verbs)',
      type: 'list',
      show: (s) => s.emulate.unknownVerbs.join(', '),
      parse: (v, s) => ({ emulate: { ...s.emulate, unknownVerbs: listText(v) } }),
    },
    {
      flag: 'software-version',
      label: 'Announced software version',
      help: 'the v3 "Software version" header sent (empty: as is)',
      type: 'text',
      show: (s) => s.emulate.softwareVersion ?? '',
      parse: (v, s) => ({ emulate: { ...s.emulate, softwareVersion: String(v).trim() || null } }),
    },
  ],
  chips: ({ emulate: e }) => [
    ...(e.maxProtocol < 3 ? [`acts as a v${e.maxProtocol}-only server`] : []),
    ...(e.unknownVerbs.length ? [`pretends not to know ${e.unknownVerbs.join(', ')}`] : []),
    ...(e.softwareVersion ? [`claims version ${e.softwareVersion}`] : []),
  ],
  request: (head, { emulate }) => {
    if (head.protocol > emulate.maxProtocol) {
      return { kind: 'answer', answer: { protocol: 1, status: 'E', args: olderServerArgs(head.protocol) }, action: `answered a v${head.protocol} request as a v${emulate.maxProtocol}-only server` };
    }
    if (emulate.unknownVerbs.includes(head.verb)) {
      return { kind: 'answer', answer: { status: 'E', args: unknownMethodArgs(head.protocol, head.verb) }, action: 'answered as an unknown verb' };
    }
    return null;
  },
  responseHeaders: (headers, { emulate }) => {
    if (emulate.softwareVersion === null) return null;
    const changed = new Map<string, BValue>(headers);
    changed.set('Software version', new TextEncoder().encode(emulate.softwareVersion));
    return changed;
  },
});
