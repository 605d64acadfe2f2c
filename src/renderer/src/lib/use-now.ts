/** The current time, re-read every `everyMs` while `active`: for live clocks (a pending call, an idle connection). */
import { useEffect, useState } from 'react';

export function useNow(active: boolean, everyMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

/** A pending call's clock: amber past 2 s, red past 10 s (a call that long is stuck for a user). */
export function elapsedTone(ms: number): 'muted' | 'warn' | 'bad' {
  return ms >= 10_000 ? 'bad' : ms >= 2_000 ? 'warn' : 'muted';
}
