// Chooses the chain of targets for one request: the small-model chain for simple work, and only the
// providers the tenant's policy allows, even when every allowed one fails.
import type { ProviderName } from '../providers/registry';
import { DEFAULT_HEDGE } from './route-config';
import type { HedgeSetting, RouteTable, Target, Task } from './route-config';

export interface RouteChoice {
  chain: Target[];
  deadlineMs: number | undefined;
  /** The route's hedging, or the task's default when the route does not say. */
  hedge: HedgeSetting;
  /** True when the tenant's policy removed every target the task would otherwise use. */
  restrictedByPolicy: boolean;
}

/** `allowedProviders` undefined: the tenant's policy restricts nothing. */
export function chooseRoute(
  routes: RouteTable,
  task: Task,
  allowedProviders: readonly ProviderName[] | undefined,
  inputChars: number,
): RouteChoice {
  const route = routes.tasks[task];
  const base = route.small && inputChars <= route.small.maxInputChars ? route.small.chain : route.chain;
  const chain = allowedProviders ? base.filter((target) => allowedProviders.includes(target.provider)) : base;
  return {
    chain,
    deadlineMs: route.deadlineMs,
    hedge: route.hedge ?? DEFAULT_HEDGE[task],
    restrictedByPolicy: base.length > 0 && chain.length === 0,
  };
}
