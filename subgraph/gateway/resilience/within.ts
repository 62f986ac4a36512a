// Waiting for something at most so long: its result, or null once the time is up, the timer cleared either way
// (a timer left running would hold the process and fire into nothing). The work itself goes on; a caller that
// must stop it aborts its own signal.

/** `work`'s result, or null when `ms` pass first. */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([work, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
