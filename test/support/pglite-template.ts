// The run's PGlite template (make-pglite-template.mjs, made by jest's global setup): an in-memory store opened
// by the suites starts from it, skipping initdb, most of an open's time. Migrations still run on each store, and
// PGlite's own initdb stays covered by the stores that open without it (a data folder, the spawned replicas).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StoreConfig } from '../../subgraph/config';

export const PGLITE_TEMPLATE_VARIABLE = 'AI_SUBGRAPH_TEST_PGLITE_TEMPLATE';

/** Makes the template at `file` (a few seconds: one initdb). */
export async function makePgliteTemplate(file: string): Promise<void> {
  await promisify(execFile)(process.execPath, [join(__dirname, 'make-pglite-template.mjs'), file]);
}

/** `store` with the run's template, when it is an in-memory PGlite and the run has one. */
export function withPgliteTemplate<Store extends StoreConfig>(store: Store): Store {
  const template = process.env[PGLITE_TEMPLATE_VARIABLE];
  if (!template || store.databaseUrl !== undefined || store.dataDir !== ':memory:') return store;
  return { ...store, pgliteTemplate: template };
}
