// The start log's account of what this process will use: which model providers are configured, the chain of
// targets each task walks, and the store and state backends. Operators could see none of it before (a typo in
// a provider variable showed only as degraded results). Names and kinds only: no URL, key or password.
import type { Config } from '../config';
import { TASKS, targetId } from '../gateway/routing/route-config';
import type { Target, Task, TaskRoute } from '../gateway/routing/route-config';
import type { SharedState } from '../state/open-state';

export interface ActiveSetup {
  providers: string[];
  /** Per task, its chain as `provider:model` joined by " > ", and its small-model chain where it has one. */
  routes: Record<Task, string>;
  store: 'postgres' | 'pglite';
  state: SharedState['kind'];
}

const chainOf = (targets: readonly Target[]): string =>
  targets.length === 0 ? 'none' : targets.map(targetId).join(' > ');

function describeRoute(route: TaskRoute): string {
  const main = chainOf(route.chain);
  return route.small
    ? `${main} (up to ${route.small.maxInputChars} chars: ${chainOf(route.small.chain)})`
    : main;
}

export function activeSetup(
  config: Pick<Config, 'gateway' | 'store'>,
  state: SharedState['kind'],
): ActiveSetup {
  const routes = Object.fromEntries(
    TASKS.map((task) => [task, describeRoute(config.gateway.routes.tasks[task])]),
  ) as Record<Task, string>;
  return {
    providers: [...config.gateway.providers.keys()],
    routes,
    store: config.store.databaseUrl ? 'postgres' : 'pglite',
    state,
  };
}

/** The same, as one sentence for a person reading the log. */
export function describeSetup(setup: ActiveSetup): string {
  const providers = setup.providers.length === 0 ? 'none (extractive only)' : setup.providers.join(', ');
  const routes = TASKS.map((task) => `${task} ${setup.routes[task]}`).join('; ');
  return `active: providers ${providers}; routes ${routes}; store ${setup.store}; state ${setup.state}`;
}
