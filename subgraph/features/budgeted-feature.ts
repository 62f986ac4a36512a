// A query feature behind the operation's AI budget (see operation-budget.ts): the input is checked first, so
// bad input is BAD_USER_INPUT and costs nothing; the same normalized input asked twice in one operation (two
// aliases, a hundred representations of one document) runs once; a new one past the budget is RATE_LIMITED,
// as is any while this replica sheds load (shed-gate.ts).
// Each run keeps its own request record (stage timings for its log line), apart from the operation's others.
import type { z } from 'zod';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { Unavailable } from './feature-result';
import { parseInput } from './inputs';
import { tierOf } from './meter-result';
import type { FeatureName } from './meter-result';
import { budgetSpent } from './operation-budget';
import { withRequestRecord } from '../observability/request-record';
import { shedRefusal } from './shed-gate';

export interface BudgetedFeature<Input> {
  feature: FeatureName;
  inputSchema: z.ZodType<Input>;
  /** What makes two asks the same work: the input with its defaults applied. */
  workKey: (input: Input) => unknown[];
}

export function budgeted<Input, Result>(
  deps: FeatureDeps,
  { feature, inputSchema, workKey }: BudgetedFeature<Input>,
  run: (call: FeatureCall, input: Input) => Promise<Result>,
): (call: FeatureCall, rawInput: unknown) => Promise<Result | Unavailable> {
  return async (call, rawInput) => {
    const input = parseInput(inputSchema, rawInput);
    return withinOperationBudget(deps, call, feature, workKey(input), () => run(call, input));
  };
}

/**
 * `run` behind the operation's AI budget and this replica's load shedding, as the work `workKey` names: run once
 * per operation however often it is asked, RATE_LIMITED once the budget is spent or while the replica sheds.
 */
export async function withinOperationBudget<Result>(
  deps: FeatureDeps,
  call: FeatureCall,
  feature: FeatureName,
  workKey: unknown[],
  run: () => Promise<Result>,
): Promise<Result | Unavailable> {
  // Before the operation's budget: a field shed now may be asked again, in this operation or another.
  const shed = shedRefusal(deps, call, feature);
  if (shed) return shed;
  // The key lives only as long as the operation, in its own map: the JSON itself, not a digest of it (a
  // sha256 of a 2,000-character text is ~1.5 % of a cache hit's CPU, for nothing a map key needs).
  const shared = call.budget.once(JSON.stringify([feature, ...workKey]), () => withRequestRecord(run));
  if (shared) return shared;
  deps.metrics.featureRequests.inc({
    feature,
    outcome: 'unavailable',
    reason: 'RATE_LIMITED',
    tier: tierOf(call),
  });
  if (call.budget.refused === 1) {
    deps.logger.warn(
      { requestId: call.requestId, tenant: call.tenant.tenantId, feature, limit: call.budget.limit },
      'operation AI budget spent: further AI fields are RATE_LIMITED',
    );
  }
  return budgetSpent(call.budget.limit);
}
