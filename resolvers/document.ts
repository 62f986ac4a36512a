// The Document entity owned by another subgraph: this subgraph contributes aiSummary, loaded in one batch.
import DataLoader from 'dataloader';
import type { RequestContext } from '../subgraph/context';
import type { SummarizeOutcome, Unavailable } from '../subgraph/features/feature-result';
import {
  aiSummaryArgsSchema,
  documentIdSchema,
  documentReferenceSchema,
  parseInput,
} from '../subgraph/features/inputs';
import { startClock } from '../subgraph/features/meter-result';
import type { DocumentResolvers } from '../subgraph/generated/graphql';
import { toSummarizeResult } from './to-union';

/** Per operation, like the document loader: the stored summaries of many entities in one query. */
const storedSummaryLoaders = new WeakMap<RequestContext, DataLoader<string, SummarizeOutcome | null>>();

function storedSummary(ctx: RequestContext, tenantId: string, documentId: string) {
  let loader = storedSummaryLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((ids: readonly string[]) => ctx.jobs.storedSummaries(tenantId, ids));
    storedSummaryLoaders.set(ctx, loader);
  }
  return loader.load(documentId);
}

/** Summarize's answer for a document the tenant lacks, without a lookup. */
const NEVER_INGESTED: Unavailable = {
  kind: 'unavailable',
  reason: 'NOT_FOUND',
  message: 'No such document for this tenant',
  retryAfterSeconds: null,
};

export const Document: DocumentResolvers = {
  // A representation is client input like any other: its id is coerced as an ID and checked as one a store can
  // hold (documentReferenceSchema). Bad fields are named relative to the representation (`id`); the
  // `_entities` wrapper (entity-representations.ts) knows its index and names it `representations[3].id`.
  __resolveReference: async (reference) => parseInput(documentReferenceSchema, reference, null),
  aiSummary: async (document, args, ctx) => {
    // Checked here, against the field's own arguments: summarize would name a bad one `input.maxWords`.
    const { maxWords } = parseInput(aiSummaryArgsSchema, args, null);
    // The owner's id, under the owner's rules (documentReferenceSchema): one this subgraph's ingest refuses
    // (longer than 256 characters, blank) was never ingested, so there is nothing to read or summarize.
    if (!documentIdSchema.safeParse(document.id).success) return toSummarizeResult(NEVER_INGESTED);
    const call = ctx.call();
    const elapsedMs = startClock();
    // A summary made in the background at ingest (summarize: true) is served as is, with no model call; it was
    // made at the default length, so a caller asking for another length gets one computed here. The lookups of
    // a batch of entities resolve together, so their summaries still load their documents in one batch.
    if (maxWords === null || maxWords === undefined) {
      const stored = await storedSummary(ctx, call.tenant.tenantId, document.id).catch((error: unknown) => {
        // A shortcut, never a dependency: unread, the summary is computed as it would be without one (the
        // error would null this non-null field, the entity with it, and through a router the owner's list).
        ctx.logger.warn({ err: error }, 'stored document summaries could not be read; computing the summary');
        return null;
      });
      // Metered as this read, like any cache hit: the job's cost was reported (and charged) once, by the job.
      if (stored?.kind === 'full')
        return toSummarizeResult(await ctx.features.keptSummary(call, document.id, stored, elapsedMs));
    }
    return toSummarizeResult(await ctx.features.summarize(call, { documentId: document.id, maxWords }));
  },
};
