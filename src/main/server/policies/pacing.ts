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
