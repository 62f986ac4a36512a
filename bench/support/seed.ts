// Seeds a benchmark subgraph: ingests a generated corpus for one tenant through the ingest feature, as a
// client's ingestDocument would. Closes the app if seeding fails, so a child never leaks its store.
import type { App } from '../../subgraph/app';
import { createOperationBudget } from '../../subgraph/features/operation-budget';
import { generateDocuments } from './corpus';

export async function seedCorpus(
  app: App,
  options: { tenantId: string; documents: number; charsPerDocument: number },
): Promise<{ chunks: number; seedMs: number }> {
  const started = Date.now();
  let chunks = 0;
  const call = {
    tenant: {
      tenantId: options.tenantId,
      subject: 'bench-seeder',
      scopes: new Set(['ai:ingest']),
      policy: app.config.tenants.forTenant(options.tenantId),
    },
    requestId: 'bench-seed',
    loadDocument: () => Promise.resolve(null),
    // Ingest is not AI work; the seeder's one "operation" needs no bound.
    budget: createOperationBudget(Number.POSITIVE_INFINITY),
  };
  try {
    for (const doc of generateDocuments(options.documents, options.charsPerDocument)) {
      chunks += (await app.features.ingest.ingest(call, doc)).chunks;
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  return { chunks, seedMs: Date.now() - started };
}
