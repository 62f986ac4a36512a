// A database as an older release left it: the migrations before a version applied and recorded by hand, as the
// migrator does, so a suite can store rows in the old shape and then check what a newer migration does to them.
import { loadMigrations, splitStatements } from '../../subgraph/retrieval/store/migrate';
import type { MigrationTarget } from '../../subgraph/retrieval/store/migrate';
import { openPostgres } from '../../subgraph/retrieval/store/pg-database';
import { openPGlite } from '../../subgraph/retrieval/store/pglite-database';
import type { SqlDatabase } from '../../subgraph/retrieval/store/sql';
import { DEFAULT_APP_ROLE, dropPostgresSchema, POSTGRES_URL, uniqueSchemaName } from './stores';

/**
 * Applies the migrations numbered below `version`. One requiring an extension this server lacks (pgvector) is
 * left out and unrecorded, as the migrator leaves it.
 */
export async function migrateBefore(
  db: SqlDatabase,
  target: MigrationTarget,
  version: number,
): Promise<void> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${target.schema};
    CREATE TABLE IF NOT EXISTS ${target.schema}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const offered = await db.query<{ name: string }>('SELECT name FROM pg_available_extensions');
  const available = new Set(offered.rows.map((row) => row.name));
  for (const migration of loadMigrations(target).filter((m) => m.version < version)) {
    if (!migration.requires.every((name) => available.has(name))) continue;
    for (const statement of splitStatements(migration.sql)) await db.query(statement);
    await db.query(`INSERT INTO ${target.schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
      migration.version,
      migration.name,
    ]);
  }
}

/** The two stores a migration must work on: PGlite in memory, and a schema of its own on the machine's server. */
export const MIGRATION_BACKENDS = [
  ['pglite', () => openPGlite(undefined), async () => undefined],
  [
    'postgres',
    async () => openPostgres(POSTGRES_URL, { poolSize: 2, preparedStatements: true }),
    (schema: string) => dropPostgresSchema(schema),
  ],
] as const;

/**
 * A fresh target schema on the backend, its database opened before the suite's tests and closed (the schema
 * dropped) after them. Call it inside the backend's describe block.
 */
export function useMigrationDatabase(
  open: () => Promise<SqlDatabase>,
  drop: (schema: string) => Promise<void>,
): { target: MigrationTarget; db: () => SqlDatabase } {
  const target = { schema: uniqueSchemaName('m'), appRole: DEFAULT_APP_ROLE };
  let db: SqlDatabase | undefined;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.close();
    await drop(target.schema);
  });
  return {
    target,
    db: () => {
      if (!db) throw new Error('the database is used before beforeAll opened it');
      return db;
    },
  };
}
