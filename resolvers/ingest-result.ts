// IngestResult: a document stored whose summary job could not be queued (the tenant's jobs.maxQueued reached, or
// the queue's database failing) is still stored, so ingestDocument answers with the document's result and the
// refusal as the error of `summaryJobId` alone: a partial result, rather than an error for the whole mutation
// that would tell the client nothing was stored when it was (and invite it to ingest again).
import type { IngestResult as IngestResultValue, IngestResultResolvers } from '../subgraph/generated/graphql';

const summaryRefusals = new WeakMap<IngestResultValue, unknown>();

/** The result of an ingest whose summary job was refused with `error`. */
export function withSummaryRefused(result: IngestResultValue, error: unknown): IngestResultValue {
  summaryRefusals.set(result, error);
  return result;
}

export const IngestResult: IngestResultResolvers = {
  summaryJobId: (parent) => {
    if (summaryRefusals.has(parent)) throw summaryRefusals.get(parent);
    return parent.summaryJobId ?? null;
  },
};
