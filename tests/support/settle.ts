/** Waits (bounded) until `count()` reaches `want`: a medium closes a moment after brz exits. */
export async function settle(count: () => number, want: number, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (count() < want && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
