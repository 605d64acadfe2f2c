/**
 * A real `tcpdump` on the loopback interface for one TCP port, for tests that import what
 * it captured. Bounded: it must be listening within 10 s, `stop()` waits at most 10 s for
 * the file to hold what the test sent, then ends it with SIGINT (SIGKILL after 5 s); only
 * the process started here is ever signalled.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { requireTool } from './test-hosts';

export interface LoopbackCapture {
  file: string;
  /**
   * Stops the capture; resolves once tcpdump has written and closed the file. With `until`,
   * first waits for the file to satisfy it: a loaded machine lets tcpdump fall behind the
   * traffic, and what it has not read from the kernel when SIGINT comes is never written.
   */
  stop(until?: CaptureComplete): Promise<void>;
}

/** What a capture must hold before it is stopped: `holds` tells from the file's bytes, `what` names it in the error. */
export interface CaptureComplete {
  what: string;
  holds(bytes: Buffer): boolean;
}

const UNTIL_MS = 10_000;

export async function captureLoopback(port: number, file: string, opts: { pcapng?: boolean } = {}): Promise<LoopbackCapture> {
  requireTool('tcpdump', 'tcpdump');
  // -Z root: tcpdump otherwise drops to its own user, who may not write to the test's folder.
  // --immediate-mode: without it libpcap hands packets over in blocks, and those still in the
  // kernel's ring when SIGINT comes are never written.
  const args = ['-i', 'lo', '-U', '--immediate-mode', '-s', '0', '-n', '-Z', 'root', '-w', file, ...(opts.pcapng ? ['--time-stamp-precision=nano'] : []), `tcp port ${port}`];
  const child = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start listening within 10 s: ${stderr}`)), 10_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited (${code}) before listening: ${stderr}`));
    });
  });
  return {
    file,
    async stop(until) {
      if (child.exitCode !== null) return;
      // A file read mid-write may end in a torn packet: that is "not yet", not a failure.
      const holds = () => {
        try {
          return until?.holds(readFileSync(file)) ?? true;
        } catch {
          return false;
        }
      };
      let missing = !holds();
      for (const deadline = Date.now() + UNTIL_MS; missing && Date.now() < deadline && child.exitCode === null; ) {
        await new Promise((r) => setTimeout(r, 50));
        missing = !holds();
      }
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
      if (missing && !holds()) throw new Error(`tcpdump's capture ${file} did not hold ${until?.what} within ${UNTIL_MS / 1000} s`);
    },
  };
}
