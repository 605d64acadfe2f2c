/**
 * The last few KiB a server process wrote to stderr (a local `brz serve --inet` or the remote
 * command of an SSH channel): what explains a server that never answered — `bzr: command not
 * found`, a Python traceback.
 */
const KEEP_BYTES = 8 * 1024;

export class StderrTail {
  private chunks: Buffer[] = [];
  private size = 0;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > KEEP_BYTES && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  /** The kept text, trimmed; '' when the process said nothing. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - KEEP_BYTES)).toString('utf8').trim();
  }
}

/** "exit status 127", "signal SIGTERM", plus the stderr text, for an error message. */
export function describeExit(code: number | null, signal: string | null, stderr: string): string {
  const how = code !== null ? `exit status ${code}` : signal ? `signal ${signal}` : '';
  return [how && `the server process ended (${how})`, stderr && `its stderr: ${stderr}`].filter(Boolean).join('; ');
}
