// The setup of the suites that subscribe to a stream and leave it mid-way: a harness for the suite, one tenant
// with a document to ask about, and a graphql-ws client of that tenant kept across the tests (disposed before
// the harness stops, so the server never waits on its socket).
import type { Client } from 'graphql-ws';
import { startHarness } from './harness';
import type { DocumentInput, Harness, HarnessOptions } from './harness';
import { forwardingTo } from './late-bound';
import { bearerWsClient } from './ws-client';

export interface SubscribingTenant {
  /** The started harness (see useHarness). */
  harness: Harness;
  /** The tenant's client: lazy, never retrying (see bearerWsClient). */
  client: Client;
}

/** Starts the harness with `options` before the suite's tests, ingests `document` as `tenant`, opens its client. */
export function useSubscribingTenant(
  options: HarnessOptions,
  tenant: string,
  document: DocumentInput,
): SubscribingTenant {
  let harness: Harness | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    harness = await startHarness(options);
    const subscriber = harness.as(tenant);
    await subscriber.ingest(document);
    client = bearerWsClient(harness.wsUrl, await subscriber.token());
  });
  afterAll(async () => {
    await client?.dispose();
    await harness?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is used before beforeAll made it`);
    return value;
  };
  return {
    harness: forwardingTo(() => started(harness, 'harness')),
    client: forwardingTo(() => started(client, 'graphql-ws client')),
  };
}
