// The embedded PostgreSQL (PGlite, with pgvector) used when DATABASE_URL is unset: one process, one folder.
// PGlite runs on a worker thread (pglite-worker.mjs): its statements are synchronous WebAssembly, and on the
// main thread one heavy search would stall every other request, health check and stream delta.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lockDataDir } from './data-dir-lock';
import { connectPGliteWorker } from './pglite-worker-client';
import type { SqlDatabase } from './sql';

/** Plain JavaScript beside this file, so jest, tsx and the compiled dist/ (copy-assets) all find and run it. */
export const PGLITE_WORKER_PATH = join(__dirname, 'pglite-worker.mjs');

/**
 * Starts a PGlite worker on `dataDir` (in memory when undefined); an in-memory one from `template`, a tarball of a
 * freshly initialised data folder, when given (StoreConfig.pgliteTemplate).
 */
export function startPGliteWorker(dataDir: string | undefined, template?: string): Worker {
  return new Worker(PGLITE_WORKER_PATH, {
    workerData: { dataDir, template: dataDir ? undefined : template },
  });
}

/**
 * PGlite on a worker thread: in memory when `dataDir` is undefined, else on that folder, which this process then
 * holds (data-dir-lock.ts) until the database is closed; a folder another process holds throws
 * DataDirInUseError before any of its files is opened.
 */
export async function openPGlite(dataDir: string | undefined, template?: string): Promise<SqlDatabase> {
  if (!dataDir) return connectPGliteWorker(startPGliteWorker(undefined, template));
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir);
  let db: SqlDatabase;
  try {
    db = await connectPGliteWorker(startPGliteWorker(dataDir, template));
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    ...db,
    // Released once the worker has written the folder back and ended, not before: the next holder reads it.
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}
