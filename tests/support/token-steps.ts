/**
 * Lock-taking request sequences run against two servers and compared: lock tokens differ
 * per server, so each issued token is named by its order (T0, T1, …) in args and answers,
 * and Breezy's transport ids (`filtered-140714585585552:`) become `filtered-N:`.
 */
import type { Arg, ComparableAnswer } from './server-call';

/** A step's args may use the tokens this server issued so far (T[0], T[1], …); a body may follow. */
export type Step = readonly [verb: string, args: (t: string[]) => Arg[], body?: Uint8Array];

const TOKEN = /^[0-9a-z]{20}$/;

/** Runs the steps, naming each issued token by its order. */
export async function runSteps(steps: readonly Step[], send: (verb: string, args: Arg[], body?: Uint8Array) => Promise<ComparableAnswer>): Promise<unknown[]> {
  const tokens: string[] = [];
  const out: unknown[] = [];
  for (const [verb, argsOf, body] of steps) {
    const args = argsOf(tokens).map((a) => a ?? 'missing-token');
    const answer = await send(verb, args, body);
    const named = answer.args.map((a) => {
      if (!TOKEN.test(a)) return a.replace(/filtered-\d+:/g, 'filtered-N:');
      if (!tokens.includes(a)) tokens.push(a);
      return `T${tokens.indexOf(a)}`;
    });
    out.push({ verb, args: args.map((a) => (typeof a === 'string' && tokens.includes(a) ? `T${tokens.indexOf(a)}` : a)), status: answer.status, answer: named });
  }
  return out;
}

