/** Per-second call and byte counts for the charts: a fixed window of SERIES_SECONDS buckets. */
import type { SeriesSlice } from './types';

export const SERIES_SECONDS = 120;

export function emptySeries(): SeriesSlice {
  return { endSecond: 0, calls: new Array<number>(SERIES_SECONDS).fill(0), bytes: new Array<number>(SERIES_SECONDS).fill(0) };
}

export class SeriesDraft {
  private endSecond: number;
  private calls: number[] | null = null;
  private bytes: number[] | null = null;

  constructor(private readonly slice: SeriesSlice) {
    this.endSecond = slice.endSecond;
  }

  private bucket(t: number): number {
    this.calls ??= this.slice.calls.slice();
    this.bytes ??= this.slice.bytes.slice();
    const second = Math.floor(t / 1000);
    if (second > this.endSecond) {
      const shift = Math.min(second - this.endSecond, SERIES_SECONDS);
      this.calls.splice(0, shift);
      this.bytes.splice(0, shift);
      for (let i = 0; i < shift; i++) {
        this.calls.push(0);
        this.bytes.push(0);
      }
      this.endSecond = second;
    }
    return SERIES_SECONDS - 1 - (this.endSecond - second);
  }

  call(t: number): void {
    const i = this.bucket(t);
    if (i >= 0) this.calls![i]++;
  }

  bytesAt(t: number, count: number): void {
    const i = this.bucket(t);
    if (i >= 0) this.bytes![i] += count;
  }

  finish(): SeriesSlice {
    if (!this.calls || !this.bytes) return this.slice;
    return { endSecond: this.endSecond, calls: this.calls, bytes: this.bytes };
  }
}
