/** A connection set-up's phases in words: its row, detail and waterfall bar in the UI, its line in the CLI. */
import type { ConnectPhase, EngineEvent, SetupPhase } from './events';
import { formatDuration } from './units';

export const PHASE_LABEL: Record<ConnectPhase, string> = {
  resolve: 'resolve',
  'tcp-connect': 'TCP connect',
  'ssh-handshake': 'SSH handshake',
  'host-key': 'host key',
  authentication: 'authentication',
  'remote-command': 'exec remote',
};

export function phasesText(phases: readonly SetupPhase[]): string {
  return phases.map((p) => `${PHASE_LABEL[p.phase]} ${formatDuration(p.ms)}${p.ok ? '' : ' ✗'}`).join(' · ');
}

/** The row's words: what was set up, how long each phase took, and why it failed. */
export function setupText(e: Extract<EngineEvent, { type: 'connection-setup' }>): string {
  const what = `${e.kind === 'ssh-client' ? 'SSH' : 'TCP'} set-up to ${e.target}`;
  const phases = phasesText(e.phases);
  if (e.ok) return `${what} in ${formatDuration(e.totalMs)}: ${phases}`;
  const failedAt = e.phases.find((p) => !p.ok);
  return `${what} failed${failedAt ? ` at ${PHASE_LABEL[failedAt.phase]}` : ''} after ${formatDuration(e.totalMs)}: ${e.reason ?? 'no reason given'}${phases ? ` (${phases})` : ''}`;
}
