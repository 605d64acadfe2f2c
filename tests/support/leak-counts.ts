/**
 * Counts of what a test may leak, taken before and after it: this process's active
 * resources as Node counts them (sockets, listeners, ref'd timers, child processes, pipes)
 * and its child processes as the kernel lists them (/proc), zombies included. A test
 * takes a snapshot first and, once its peers are gone, waits (bounded) for the counts to
 * come back; what is still up then is named in the failure.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Resource kinds a connection or subprocess holds (Node's names). */
const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'ProcessWrap', 'PipeWrap'] as const;

export interface ResourceCounts {
  resources: Record<(typeof WATCHED)[number], number>;
  /** This process's children: pid, command line, and 'Z' when a zombie. */
  children: { pid: number; command: string; state: string }[];
}

export function childProcesses(pid = process.pid): ResourceCounts['children'] {
  const pids = new Set<number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      for (const p of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) if (p.trim()) pids.add(Number(p));
    } catch {
      // the thread ended while we read
    }
  }
  const children: ResourceCounts['children'] = [];
  for (const child of pids) {
    try {
      const command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      children.push({ pid: child, command, state: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] });
    } catch {
      // it exited and was reaped while we read
    }
  }
  return children;
}

export function resourceCounts(): ResourceCounts {
  const resources = Object.fromEntries(WATCHED.map((k) => [k, 0])) as ResourceCounts['resources'];
  for (const kind of process.getActiveResourcesInfo()) if (kind in resources) resources[kind as keyof typeof resources] += 1;
  return { resources, children: childProcesses() };
}

export interface LeakCheck {
  /** A new child that is expected (a server's process started ahead replaced); zombies never are. */
  expectedChild?: (command: string) => boolean;
}

/** What is up now beyond `before` (more of a kind, a new child, any zombie); empty when nothing. */
export function leaksSince(before: ResourceCounts, check: LeakCheck = {}, now = resourceCounts()): string[] {
  const leaks: string[] = [];
  for (const kind of WATCHED) if (now.resources[kind] > before.resources[kind]) leaks.push(`${kind}: ${before.resources[kind]} → ${now.resources[kind]}`);
  const known = new Set(before.children.map((c) => c.pid));
  for (const c of now.children) if ((!known.has(c.pid) && !check.expectedChild?.(c.command)) || c.state === 'Z') leaks.push(`child ${c.pid} (${c.state}) ${c.command}`);
  return leaks;
}

/** Waits up to `withinMs` for the counts to come back to `before`; returns what is still leaked. */
export async function settledLeaks(before: ResourceCounts, check: LeakCheck = {}, withinMs = 5_000): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const leaks = leaksSince(before, check);
    if (leaks.length === 0 || Date.now() >= deadline) return leaks;
    await new Promise((r) => setTimeout(r, 50));
  }
}
