// Opens the real document store (openStore) against PGlite in memory or in a temporary folder, or against the
// PostgreSQL server of the suites (services.ts) under a schema of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { envSchema } from '../../subgraph/config';
import type { StoreConfig, VectorSearchConfig } from '../../subgraph/config';
import { withPgliteTemplate } from './pglite-template';
import type { TextChunk } from '../../subgraph/retrieval/chunking';
import { openStore } from '../../subgraph/retrieval/store/open-store';
import type { DocumentStore } from '../../subgraph/retrieval/store/document-store';
import type { OpenedStore } from '../../subgraph/retrieval/store/open-store';
import type { SqlExecutor } from '../../subgraph/retrieval/store/sql';
import { POSTGRES_URL, requirePostgres } from './services';

export { POSTGRES_URL };

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

/** The app role the subgraph switches to in every transaction unless configured otherwise. */
export const DEFAULT_APP_ROLE = envSchema.shape.DATABASE_APP_ROLE.parse(undefined);

/** A fresh lowercase SQL identifier, so concurrent test files never share tables. */
export function uniqueSchemaName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema of the PostgreSQL server and everything in it, and its job queue's schema (`<schema>_queue`). */
export async function dropPostgresSchema(schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
  requirePostgres();
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS ${schema}_queue CASCADE`);
  } finally {
    await client.end();
  }
}

/** Chunks as the chunker would cut them from the texts joined by blank lines: indexes and offsets in order. */
export function chunksOf(...texts: string[]): TextChunk[] {
  let offset = 0;
  return texts.map((text, index) => {
    const chunk = { index, text, start: offset, end: offset + text.length };
    offset += text.length + 2;
    return chunk;
  });
}

/** Stores a document for the tenant with the chunks cut from `texts` (see chunksOf). */
export function putChunks(
  store: Pick<DocumentStore, 'putDocument'>,
  tenantId: string,
  document: { id: string; title: string; body: string },
  ...texts: string[]
): ReturnType<DocumentStore['putDocument']> {
  return store.putDocument(tenantId, document, chunksOf(...texts));
}

export interface TestStore {
  backend: Backend;
  schema: string;
  appRole: string;
  /** The store opened last. */
  readonly current: OpenedStore;
  /** Closes the current store and opens the same database again (PostgreSQL, or PGlite with `persistent`). */
  reopen(): Promise<OpenedStore>;
  /** Closes the store and drops its schema (PostgreSQL) or folder (PGlite). */
  dispose(): Promise<void>;
}

export async function openTestStore(
  backend: Backend,
  options: { persistent?: boolean; appRole?: string; vectors?: VectorSearchConfig } = {},
): Promise<TestStore> {
  if (backend === 'postgres') requirePostgres();
  const schema = uniqueSchemaName();
  const appRole = options.appRole ?? DEFAULT_APP_ROLE;
  const dataDir =
    backend === 'pglite' && options.persistent ? mkdtempSync(join(tmpdir(), 'ai-store-')) : ':memory:';
  const config: StoreConfig = withPgliteTemplate({
    databaseUrl: backend === 'postgres' ? POSTGRES_URL : undefined,
    dataDir,
    schema,
    appRole,
    poolSize: 4,
    ...(options.vectors ? { vectors: options.vectors } : {}),
  });
  const removeDataDir = () => {
    if (dataDir !== ':memory:') rmSync(dataDir, { recursive: true, force: true });
  };
  let current: OpenedStore;
  try {
    current = await openStore(config);
  } catch (error) {
    removeDataDir();
    if (backend === 'postgres') await dropPostgresSchema(schema).catch(() => undefined);
    throw error;
  }
  let closed = false;
  return {
    backend,
    schema,
    appRole,
    get current() {
      return current;
    },
    async reopen() {
      if (backend === 'pglite' && dataDir === ':memory:') {
        throw new Error('an in-memory PGlite cannot be reopened: pass persistent');
      }
      await current.documents.close();
      current = await openStore(config);
      return current;
    },
    async dispose() {
      if (closed) return;
      closed = true;
      try {
        await current.documents.close();
      } finally {
        removeDataDir();
        if (backend === 'postgres') await dropPostgresSchema(schema);
      }
    },
  };
}

/**
 * Runs raw SQL in one transaction as `role`, with `app.tenant_id` set to `tenantId` (or left unset), exactly as a
 * careless query would run: no tenant filter is added, so only row level security stands between tenants.
 */
export function asRole<T>(
  store: OpenedStore,
  role: string,
  tenantId: string | null,
  work: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  return store.db.transaction(async (tx) => {
    await tx.query("SELECT set_config('role', $1, true)", [role]);
    if (tenantId !== null) await tx.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    return work(tx);
  });
}
