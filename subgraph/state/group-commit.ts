// Group commit: one write at a time, and whatever is handed in while it runs goes together in the next one.
// No item waits for a timer: the first of a quiet moment is written at once, and items only gather while the
// store is busy with the previous write, so batches grow exactly as fast as the store falls behind. Each
// caller's promise settles with the write that carried its item: resolved once it is committed, rejected with
// that write's error.

export interface GroupCommit<T> {
  /** Resolves once `item` has been written with its batch; rejects with the batch's error. */
  write(item: T): Promise<void>;
  /** Resolves once every write started so far has ended, however it ended. */
  settled(): Promise<void>;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function groupCommit<T>(writeBatch: (items: readonly T[]) => Promise<void>): GroupCommit<T> {
  let waiting: Waiting<T>[] = [];
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await writeBatch(batch.map(({ item }) => item));
        for (const { resolve } of batch) resolve();
      } catch (error) {
        for (const { reject } of batch) reject(error);
      }
    }
    draining = null;
  }

  return {
    write(item) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        draining ??= drain();
      });
    },
    settled: () => draining ?? Promise.resolve(),
  };
}
