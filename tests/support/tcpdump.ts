/**
 * A real `tcpdump` on the loopback interface for one TCP port, for tests that import what
 * it captured. Bounded: it must be listening within 10 s, and `stop()` ends it with SIGINT
 * (SIGKILL after 5 s); only the process started here is ever signalled.
 */
import { spawn } from 'node:child_process';
import { requireTool } from './test-hosts';

export interface LoopbackCapture {
  file: string;
  /** Stops the capture; resolves once tcpdump has written and closed the file. */
  stop(): Promise<void>;
}

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
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
