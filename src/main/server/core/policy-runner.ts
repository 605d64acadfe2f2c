/**
 * Runs the policy registry's hooks for one connection and reports what they did: every
 * decision is a `policy-action` event naming the call it concerns (its `callId`). Settings
 * are read on every hook, so a change applies to running connections at once.
 */
import type { PolicySettings, RequestHead } from '../../../shared/policies';
import { POLICY_LIST, type PolicyAnswer, type PolicyDefinition } from '../../../shared/policies';
import type { BValue } from '../../../shared/protocol';
import { verbInfo } from '../../../shared/protocol';
import type { UnstampedEvent, VerbKind } from '../../../shared/events';

type Policy = PolicyDefinition<PolicySettings>;

/** The policies that have each hook, in registry order (looked up once, not per call). */
const WITH = {
  request: POLICY_LIST.filter((p) => p.request),
  responseStart: POLICY_LIST.filter((p) => p.responseStart),
  responseHeaders: POLICY_LIST.filter((p) => p.responseHeaders),
  responseBody: POLICY_LIST.filter((p) => p.responseBody),
  pace: POLICY_LIST.filter((p) => p.pace),
  outgoing: POLICY_LIST.filter((p) => p.outgoing),
  callFinished: POLICY_LIST.filter((p) => p.callFinished),
};

const NO_HEADERS: Map<string, BValue> = new Map();

/** Breezy's kind of a verb (request.py): whether a client may safely retry it. */
export function retryClass(verb: string): VerbKind {
  return verbInfo(verb)?.kind ?? 'unknown';
}

/** What the request hooks decided, together. */
export type RequestOutcome = { kind: 'answer'; answer: PolicyAnswer } | { kind: 'drop' } | { kind: 'handle'; delayMs: number };

/** The call an action concerns. */
export interface ActionTarget {
  callId?: string;
  verb: string;
}

export class PolicyRunner {
  private readonly pacers = { in: new Pacer(), out: new Pacer() };

  constructor(
    readonly settings: () => PolicySettings,
    private readonly emit: (event: UnstampedEvent) => void,
    private readonly where: { mediumId: string; ownerId?: string },
  ) {}

  /** First answer or drop wins; delays of the policies before it add up. */
  request(head: RequestHead, callId: string): RequestOutcome {
    const s = this.settings();
    let delayMs = 0;
    for (const p of WITH.request) {
      const verdict = (p.request as NonNullable<Policy['request']>)(head, s);
      if (!verdict) continue;
      this.report(p, verdict.action, { callId, verb: head.verb });
      if (verdict.kind === 'delay') delayMs += verdict.ms;
      else return verdict.kind === 'drop' ? { kind: 'drop' } : { kind: 'answer', answer: verdict.answer };
    }
    return { kind: 'handle', delayMs };
  }

  responseStartDelay(target: ActionTarget): number {
    const s = this.settings();
    let total = 0;
    for (const p of WITH.responseStart) {
      const d = (p.responseStart as NonNullable<Policy['responseStart']>)(target.verb, s);
      if (!d) continue;
      this.report(p, d.action, target);
      total += d.delayMs;
    }
    return total;
  }

  /** Whether any policy would change a v3 response's headers now (then the tap holds them back). */
  rewritesHeaders(): boolean {
    const s = this.settings();
    return WITH.responseHeaders.some((p) => (p.responseHeaders as NonNullable<Policy['responseHeaders']>)(NO_HEADERS, s) !== null);
  }

  /** Whether a policy would delay, cut or rewrite a response to `verb` now (asked without acting). */
  shapesResponse(verb: string): boolean {
    const s = this.settings();
    return (
      WITH.responseStart.some((p) => (p.responseStart as NonNullable<Policy['responseStart']>)(verb, s) !== null) ||
      WITH.responseBody.some((p) => (p.responseBody as NonNullable<Policy['responseBody']>)(verb, s) !== null) ||
      this.rewritesHeaders()
    );
  }

  responseHeaders(headers: Map<string, BValue>): Map<string, BValue> | null {
    const s = this.settings();
    let out: Map<string, BValue> | null = null;
    for (const p of WITH.responseHeaders) out = (p.responseHeaders as NonNullable<Policy['responseHeaders']>)(out ?? headers, s) ?? out;
    return out;
  }

  /** At a response's first body bytes: the reason to cut the connection there, if a policy says so. */
  responseBody(target: ActionTarget): string | null {
    const s = this.settings();
    for (const p of WITH.responseBody) {
      const cut = (p.responseBody as NonNullable<Policy['responseBody']>)(target.verb, s);
      if (!cut) continue;
      this.report(p, cut.action, target);
      return cut.reason;
    }
    return null;
  }

  /** How many of `count` bytes to the client may go after `sent`, and why the connection ends if not all. */
  outgoing(sent: number, count: number, target: ActionTarget | null): { allow: number; reason: string } | null {
    const s = this.settings();
    for (const p of WITH.outgoing) {
      const cut = (p.outgoing as NonNullable<Policy['outgoing']>)(sent, count, s);
      if (!cut) continue;
      this.report(p, cut.action, target ?? { verb: '' });
      return { allow: cut.allow, reason: cut.reason };
    }
    return null;
  }

  /** Milliseconds to wait after moving `bytes` one way (0: go on at once). */
  pace(direction: 'in' | 'out', bytes: number): number {
    const s = this.settings();
    let rate = 0;
    for (const p of WITH.pace) {
      const r = (p.pace as NonNullable<Policy['pace']>)(s);
      if (r > 0 && (rate === 0 || r < rate)) rate = r;
    }
    return this.pacers[direction].delayAfter(bytes, rate);
  }

  /** After the `done`-th call finished: the reason to end the connection, if a policy says so. */
  callFinished(done: number, target: ActionTarget): string | null {
    const s = this.settings();
    for (const p of WITH.callFinished) {
      const drop = (p.callFinished as NonNullable<Policy['callFinished']>)(done, s);
      if (!drop) continue;
      this.report(p, drop.action, target);
      return drop.reason;
    }
    return null;
  }

  private report(policy: Policy, action: string, target: ActionTarget): void {
    this.emit({
      type: 'policy-action',
      mediumId: this.where.mediumId,
      ...(this.where.ownerId ? { ownerId: this.where.ownerId } : {}),
      ...(target.callId ? { callId: target.callId } : {}),
      policy: policy.id,
      action,
      ...(target.verb ? { verb: target.verb, retryClass: retryClass(target.verb) } : {}),
    });
  }
}

/**
 * Bandwidth cap as a token bucket: how long to wait after sending n bytes so the
 * average rate stays at the cap. The rate is read on each call, so a change applies at once.
 */
export class Pacer {
  private nextFree = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Milliseconds to wait after sending `bytes` at `bytesPerSec` (0: no cap). */
  delayAfter(bytes: number, bytesPerSec: number): number {
    if (bytesPerSec <= 0) {
      this.nextFree = 0;
      return 0;
    }
    const now = this.now();
    this.nextFree = Math.max(now, this.nextFree) + (bytes * 1000) / bytesPerSec;
    return Math.max(0, this.nextFree - now);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
