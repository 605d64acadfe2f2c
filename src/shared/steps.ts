/**
 * Long pure work written as steps: a generator that yields (nothing) after each slice of its
 * work, so a server can serve its other connections between slices — a 30 MB text's diff, an
 * index of 300,000 keys. The same steps run at once where nothing waits on them.
 */
export type Steps<T> = Generator<void, T>;

/** Runs the steps to their end at once. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs the steps, awaiting `giveWay` (the event loop's next turn) after each slice. */
export async function runInTurns<T>(steps: Steps<T>, giveWay: () => Promise<unknown>): Promise<T> {
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await giveWay();
  }
}
