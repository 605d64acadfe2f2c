/**
 * What a server or proxy does with one request, given its policies: relay it (maybe
 * after a delay), answer it here, or drop the connection. Pure: the serve loop applies
 * the decision and emits the actions as `policy-action` events.
 */
import type { PolicySettings } from '../../../shared/api';
import type { VerbKind } from '../../../shared/events';
import type { ProtocolVersion } from '../../../shared/protocol';
import { isVfsVerb, verbInfo } from '../../../shared/protocol';
import { oldServerAnswer, unknownMethodAnswer, vfsRefusedAnswer, type LocalAnswer } from './answers';

export interface RequestHead {
  protocol: ProtocolVersion;
  verb: string;
  /** Arguments after the verb, as text (bytes rendered like in events). */
  args: string[];
}

export interface PolicyAction {
  policy: string;
  action: string;
  verb: string;
  retryClass: VerbKind;
}

export type RequestDecision =
  | { kind: 'relay'; delayMs: number }
  | { kind: 'answer'; answer: LocalAnswer }
  | { kind: 'drop' };

export interface Decided {
  decision: RequestDecision;
  actions: PolicyAction[];
}

/** Breezy's kind of a verb (request.py): whether a client may safely retry it. */
export function retryClass(verb: string): VerbKind {
  return verbInfo(verb)?.kind ?? 'unknown';
}

function action(policy: string, text: string, head: RequestHead): PolicyAction {
  return { policy, action: text, verb: head.verb, retryClass: retryClass(head.verb) };
}

/** The request-side policies, first match wins; latency applies to relayed calls only. */
export function decideRequest(policy: PolicySettings, head: RequestHead): Decided {
  const { emulate } = policy;
  if (head.protocol > emulate.maxProtocol) {
    return {
      decision: { kind: 'answer', answer: oldServerAnswer(head.protocol) },
      actions: [action('emulate', `answered a v${head.protocol} request as a v${emulate.maxProtocol}-only server`, head)],
    };
  }
  if (policy.dropOnVerb === head.verb) {
    return { decision: { kind: 'drop' }, actions: [action('drop-on-verb', 'dropped the connection', head)] };
  }
  if (emulate.unknownVerbs.includes(head.verb)) {
    return {
      decision: { kind: 'answer', answer: unknownMethodAnswer(head) },
      actions: [action('emulate', 'answered as an unknown verb', head)],
    };
  }
  if (policy.refuseVfs && isVfsVerb(head.verb)) {
    return {
      decision: { kind: 'answer', answer: vfsRefusedAnswer(head) },
      actions: [action('refuse-vfs', 'refused a VFS request', head)],
    };
  }
  if (policy.errorVerb && policy.errorVerb.verb === head.verb) {
    return {
      decision: { kind: 'answer', answer: { protocol: head.protocol, status: 'E', args: policy.errorVerb.error } },
      actions: [action('error-verb', `answered with error ${policy.errorVerb.error.join(', ')}`, head)],
    };
  }
  const actions = policy.latencyMs > 0 ? [action('latency', `delayed the request ${policy.latencyMs} ms`, head)] : [];
  return { decision: { kind: 'relay', delayMs: policy.latencyMs }, actions };
}
