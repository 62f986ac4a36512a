// The AI work of one GraphQL operation, bounded and shared. Validation rules count aliases in the document,
// but a list variable or `_entities` representations multiply one field without a single alias, so the
// bound is kept here, where the work is asked for: each distinct piece of work (a feature and its normalized
// input) runs once per operation and counts once; past the limit, nothing new starts.
import type { Unavailable } from './feature-result';

export interface OperationBudget {
  readonly limit: number;
  /**
   * The result of `work` for `key`, run at most once in this operation and shared by every field that asks
   * for the same key; null when `key` is new and the operation has already started `limit` distinct ones.
   */
  once<Result>(key: string, work: () => Promise<Result>): Promise<Result> | null;
  /** Fields refused so far: the first refusal is worth a log line, the rest only a metric. */
  readonly refused: number;
}

export function createOperationBudget(limit: number): OperationBudget {
  // A key names its feature, so every promise under it has that feature's result type.
  const started = new Map<string, Promise<unknown>>();
  let refused = 0;
  return {
    limit,
    get refused() {
      return refused;
    },
    once<Result>(key: string, work: () => Promise<Result>): Promise<Result> | null {
      const shared = started.get(key) as Promise<Result> | undefined;
      if (shared) return shared;
      if (started.size >= limit) {
        refused += 1;
        return null;
      }
      const result = work();
      started.set(key, result);
      return result;
    },
  };
}

/** What a field past the budget answers: it can be asked again, in an operation of its own. */
export function budgetSpent(limit: number): Unavailable {
  return {
    kind: 'unavailable',
    reason: 'RATE_LIMITED',
    message:
      `This operation reached its budget of ${limit} AI fields (MAX_AI_FIELDS_PER_OPERATION); ` +
      'ask for the rest in another operation',
    retryAfterSeconds: null,
  };
}
