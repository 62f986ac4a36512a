// The requests the subgraph metered per feature and outcome (ai_feature_requests_total), read from its
// /metrics. A stream or a job run is metered as its generator ends, a moment after the event a test awaits (an
// unsubscribe, a cancel), so a test waits for the count to show rather than reading it once.
import type { Harness } from './harness';
import { eventually } from './wait-for';

/** How many requests of `feature` were metered with `outcome` ('full', 'abandoned', 'failed', ...). */
export async function featureRequests(
  harness: Pick<Harness, 'metrics'>,
  feature: string,
  outcome: string,
): Promise<number> {
  return (await harness.metrics()).value('ai_feature_requests_total', { feature, outcome });
}

/** Waits (up to 5 s) until exactly `count` requests of `feature` were metered with `outcome`; throws naming `what`. */
export async function untilFeatureRequests(
  harness: Pick<Harness, 'metrics'>,
  feature: string,
  outcome: string,
  count: number,
  what: string,
): Promise<void> {
  await eventually(
    async () => ((await featureRequests(harness, feature, outcome)) === count ? true : undefined),
    5_000,
    what,
  );
}
