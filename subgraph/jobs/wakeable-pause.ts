// The idle wait of a polling loop (the job runner, the webhook worker): it sleeps until the next poll, and a
// wake() (new work queued here, a slot freed, a stop) ends the sleep at once.
export interface WakeablePause {
  /** Resolves after `ms`, or as soon as wake() is called. */
  sleep(ms: number): Promise<void>;
  /** Ends the sleep in progress, if any. */
  wake(): void;
}

export function wakeablePause(): WakeablePause {
  let wakeUp: (() => void) | null = null;
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => done(), ms);
        const done = () => {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        };
        wakeUp = done;
      }),
    wake: () => wakeUp?.(),
  };
}
