// Ingest and delete: chunk the document (bounded, overlapping) and replace it and its chunks atomically.
import { chunkText } from '../retrieval/chunking';
import { stage } from '../observability/stage';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { documentIdSchema, ingestInputSchema, parseInput } from './inputs';

export interface IngestOutcome {
  documentId: string;
  chunks: number;
  embedded: boolean;
}

export function createIngestFeature(deps: FeatureDeps) {
  return {
    async ingest(call: FeatureCall, rawInput: unknown): Promise<IngestOutcome> {
      const input = parseInput(ingestInputSchema, rawInput);
      const chunks = chunkText(input.body, deps.chunking);
      const stored = await stage(deps.metrics, 'store.put', () =>
        deps.documents.putDocument(call.tenant.tenantId, input, chunks),
      );
      deps.logger.info(
        {
          requestId: call.requestId,
          tenant: call.tenant.tenantId,
          chunks: stored.chunks,
          version: stored.version,
        },
        'document ingested',
      );
      // No embedding provider yet: the document is searchable lexically only, and says so.
      return { documentId: input.id, chunks: stored.chunks, embedded: false };
    },

    async delete(call: FeatureCall, id: unknown): Promise<boolean> {
      const documentId = parseInput(documentIdSchema, id, 'id');
      return stage(deps.metrics, 'store.delete', () =>
        deps.documents.deleteDocument(call.tenant.tenantId, documentId),
      );
    },
  };
}

export type IngestFeature = ReturnType<typeof createIngestFeature>;
