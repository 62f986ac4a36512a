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
  const allowed = (targets: Target[]) =>
    allowedProviders ? targets.filter((target) => allowedProviders.includes(target.provider)) : targets;
  const small = route.small && inputChars <= route.small.maxInputChars ? route.small.chain : [];
  // A tenant whose policy allows none of the small chain still gets the main chain's allowed targets: a short
  // input must not fail where a long one is served.
  const allowedSmall = allowed(small);
  const chain = allowedSmall.length > 0 ? allowedSmall : allowed(route.chain);
  return {
    chain,
    deadlineMs: route.deadlineMs,
    hedge: route.hedge ?? DEFAULT_HEDGE[task],
    restrictedByPolicy: chain.length === 0 && (small.length > 0 || route.chain.length > 0),
  };
}
