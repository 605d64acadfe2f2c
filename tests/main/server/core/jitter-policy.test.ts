/**
 * Jitter at the policy runner: each delayed direction gets a uniform 0..jitter more, drawn per
 * request and per response; a direction with no delay set gets none.
 */
import { expect, test } from 'vitest';
import type { UnstampedEvent } from '../../../../src/shared/events';
import { defaultPolicy, mergePolicy, policyFromInputs, type PolicySettings } from '../../../../src/shared/policies';
import { PolicyRunner } from '../../../../src/main/server/core/policy-runner';

const HEAD = { protocol: 3 as const, verb: 'hello', args: [] as Uint8Array[], vfs: false };
const SAMPLES = 400;

function runner(change: Partial<PolicySettings>): { policies: PolicyRunner; events: UnstampedEvent[] } {
  const settings = mergePolicy(defaultPolicy(), change);
  const events: UnstampedEvent[] = [];
  return { policies: new PolicyRunner(() => settings, (e) => events.push(e), { mediumId: 'm1' }), events };
}

function requestDelays(policies: PolicyRunner): number[] {
  return Array.from({ length: SAMPLES }, (_, i) => {
    const outcome = policies.request(HEAD, `c${i}`);
    if (outcome.kind !== 'handle') throw new Error(`expected the call handled, got ${outcome.kind}`);
    return outcome.delayMs;
  });
}

test('requests: each delay within [latency, latency + jitter], spread over the range', () => {
  const { policies, events } = runner({ latencyMs: 40, jitterMs: 25 });
  const delays = requestDelays(policies);
  for (const d of delays) {
    expect(d).toBeGreaterThanOrEqual(40);
    expect(d).toBeLessThanOrEqual(65);
  }
  // Uniform over 26 values, 400 draws: both ends come up and most values in between.
  expect(new Set(delays).size).toBeGreaterThan(15);
  expect(Math.min(...delays)).toBeLessThan(45);
  expect(Math.max(...delays)).toBeGreaterThan(60);
  // Each draw is told on its call: the latency's action and the jitter's, with the amount.
  const jitter = events.filter((e) => e.type === 'policy-action' && e.policy === 'jitter');
  expect(jitter).toHaveLength(SAMPLES);
  expect(jitter[0]).toMatchObject({ callId: 'c0', action: `jitter: delayed the request ${delays[0] - 40} ms more` });
});

test('responses: each delay within [response delay, response delay + jitter], not all equal', () => {
  const { policies } = runner({ responseDelayMs: 10, jitterMs: 5 });
  const delays = Array.from({ length: SAMPLES }, (_, i) => policies.responseStartDelay({ callId: `c${i}`, verb: 'hello' }));
  for (const d of delays) {
    expect(d).toBeGreaterThanOrEqual(10);
    expect(d).toBeLessThanOrEqual(15);
  }
  expect(new Set(delays).size).toBeGreaterThan(1);
  // Requests are not delayed: no latency is set.
  expect(requestDelays(policies).every((d) => d === 0)).toBe(true);
});

test('jitter alone delays nothing; the flag and the validator come from the registry', () => {
  const { policies } = runner({ jitterMs: 50 });
  expect(requestDelays(policies).every((d) => d === 0)).toBe(true);
  expect(policies.responseStartDelay({ verb: 'hello' })).toBe(0);
  expect(policyFromInputs(defaultPolicy(), new Map([['jitter', '30']])).jitterMs).toBe(30);
  expect(() => policyFromInputs(defaultPolicy(), new Map([['jitter', '-3']]))).toThrow(/--jitter/);
  expect(() => mergePolicy(defaultPolicy(), { jitterMs: 600_001 })).toThrow(/jitterMs/);
});
