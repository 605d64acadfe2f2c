/**
 * The probe's steps in the order it walks them, per scheme, and how long it waits on one:
 * the engine's probe reports each step as it ends; the UI shows the next one as the step
 * it waits on, with a countdown to this timeout.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 15_000;

const BZR = ['url', 'resolve', 'tcp-connect', 'hello', 'protocol', 'open-bzrdir', 'open-branch'];
const BZR_SSH = ['url', 'resolve', 'tcp-connect', 'ssh-handshake', 'host-key', 'authentication', 'remote-command', 'hello', 'protocol', 'open-bzrdir', 'open-branch'];

/** The step after `done` (the steps reported so far) for this URL; null when none is left or the URL is not ours. */
export function nextProbeStep(url: string, done: readonly string[]): string | null {
  const order = url.startsWith('bzr+ssh://') ? BZR_SSH : url.startsWith('bzr://') ? BZR : null;
  if (!order) return null;
  const last = done.length ? order.indexOf(done[done.length - 1]) : -1;
  return order[last + 1] ?? null;
}
