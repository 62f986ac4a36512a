// Every model a route sends to a provider that bills per token must have a price: an unpriced one would cost
// 0 in the ledger, in `usage` and against the spend caps, so a tenant's cap would never stop its calls. Found
// at start, with the fix named, rather than as a cap that silently never triggers.
import { ConfigError } from '../errors/config-error';
import type { ModelPrice } from './pricing';
import { PROVIDER_REGISTRY } from './providers/registry';
import { TASKS, targetId } from './routing/route-config';
import type { RouteTable } from './routing/route-config';

export function checkTargetsPriced(routes: RouteTable, prices: Readonly<Record<string, ModelPrice>>): void {
  const unpriced = new Set<string>();
  for (const task of TASKS) {
    const route = routes.tasks[task];
    for (const target of [...route.chain, ...(route.small?.chain ?? [])]) {
      if (PROVIDER_REGISTRY[target.provider].billedPerToken && !prices[targetId(target)])
        unpriced.add(targetId(target));
    }
  }
  if (unpriced.size === 0) return;
  const [first] = unpriced;
  throw new ConfigError(
    `MODEL_PRICES_JSON has no price for ${[...unpriced].join(', ')}, which the routes use: its calls would count ` +
      `as free against the spend caps; add e.g. {"${first}": {"inputPerMillion": 1, "outputPerMillion": 4}} ` +
      "with the provider's prices",
  );
}
