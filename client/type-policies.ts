// The Apollo Client cache policies this subgraph's results need. Its AI results and stream events carry no id,
// so without these the cache merges an old object into a new one of another type and prints "Cache data may be
// lost"; with them a new result replaces the old one, and the tenant's usage is one object however it is
// selected.
import type { FieldPolicy, Reference, StoreObject, TypePolicies, TypePolicy } from '@apollo/client';

/**
 * A new value replaces the old one. Right for a result union: a Summary and a DegradedSummary for the same
 * arguments share no fields worth keeping, and each stream event replaces the one before it.
 */
const replace: FieldPolicy = { merge: false };

/**
 * The tenant's per-feature counts, matched by feature name, so that two queries selecting different fields
 * of them both stay complete in the cache; an entry without its `feature` selected replaces as usual.
 */
const byFeature: FieldPolicy<readonly (StoreObject | Reference)[]> = {
  merge(existing, incoming, { readField, mergeObjects }) {
    return incoming.map((entry) => {
      const feature = readField<string>('feature', entry);
      const previous =
        feature === undefined ? undefined : existing?.find((old) => readField('feature', old) === feature);
      return previous ? mergeObjects(previous, entry) : entry;
    });
  },
};

/**
 * TenantUsage is keyed by `tenantId` where it is selected; a selection without it is kept inside `Query.usage`,
 * whose selections merge (one tenant per session), instead of Apollo throwing "Missing field 'tenantId' while
 * extracting keyFields" for a query the schema accepts.
 */
const tenantUsageKey: TypePolicy['keyFields'] = (usage: Readonly<StoreObject>) =>
  usage.tenantId === undefined ? false : ['tenantId'];

export const typePolicies: TypePolicies = {
  Query: { fields: { summarize: replace, search: replace, ask: replace, usage: { merge: true } } },
  Subscription: { fields: { askStream: replace, summarizeStream: replace } },
  AskCompleted: { fields: { result: replace } },
  SummarizeCompleted: { fields: { result: replace } },
  // A background job's result (keyed by its id): the union of the field it ran, replaced when the job ends.
  AIJob: { fields: { summary: replace, answer: replace } },
  // Contributed to the Document entity that another subgraph owns (keyed by id there).
  Document: { fields: { aiSummary: replace } },
  TenantUsage: { keyFields: tenantUsageKey, fields: { byFeature } },
};
