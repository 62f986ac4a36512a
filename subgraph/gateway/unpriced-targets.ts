// Every model a route sends to a provider that bills per token should have a price: an unpriced one costs 0 in
// the ledger, in `usage` and against the spend caps, so a tenant's cap would never stop its calls. In
// production that stops the start, naming the fix; elsewhere (a new model tried out on a laptop, a test
// server's made-up names) the start log warns instead.
import { ConfigError } from '../errors/config-error';
import type { Logger } from '../observability/logger';
import type { ModelPrice } from './pricing';
import { PROVIDER_REGISTRY } from './providers/registry';
import { TASKS, targetId, targetsOf } from './routing/route-config';
import type { RouteTable } from './routing/route-config';

/** The `provider:model` of each per-token target the routes use without a price, in route order. */
export function unpricedTargets(routes: RouteTable, prices: Readonly<Record<string, ModelPrice>>): string[] {
  const unpriced = new Set<string>();
  for (const task of TASKS) {
    for (const target of targetsOf(routes.tasks[task])) {
      if (PROVIDER_REGISTRY[target.provider].billedPerToken && !prices[targetId(target)])
        unpriced.add(targetId(target));
    }
  }
  return [...unpriced];
}

export function refuseUnpricedTargets(unpriced: readonly string[]): void {
  const [first] = unpriced;
  if (first === undefined) return;
  throw new ConfigError(
    `MODEL_PRICES_JSON has no price for ${unpriced.join(', ')}, which the routes use: its calls would count ` +
      `as free against the spend caps; add e.g. {"${first}": {"inputPerMillion": 1, "outputPerMillion": 4}} ` +
      "with the provider's prices",
  );
}

/** The start log's warning where targets have no price (outside production: production refuses to start). */
export function warnOfUnpricedTargets(unpriced: readonly string[], logger: Logger): void {
  if (unpriced.length === 0) return;
  logger.warn(
    { unpriced },
    'targets without a price count as free against spend caps and in usage: set MODEL_PRICES_JSON',
  );
}
