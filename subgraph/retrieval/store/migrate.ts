// Applies the versioned SQL migrations in order, once each, under a lock so replicas starting together agree.
// A migration whose header says `-- requires: <extension>[, <extension>]` runs only where the server offers
// those extensions (pg_available_extensions); elsewhere it is skipped and left unrecorded, so the first start
// after the extension is installed applies it. A later migration that touches what it creates must declare
// the same requirement.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDatabase, SqlExecutor } from './sql';

const MIGRATIONS_DIR = join(__dirname, 'migrations');

export interface MigrationTarget {
  schema: string;
  appRole: string;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** PostgreSQL extensions the migration needs (its `-- requires:` header); empty for most. */
  requires: string[];
}

export interface SkippedMigration {
  name: string;
  /** The required extensions this server does not offer. */
  missingExtensions: string[];
}

export interface MigrationReport {
  /** Applied by this run, in order. */
  applied: string[];
  /** Left pending by this run because an extension they require is not available. */
  skipped: SkippedMigration[];
}

/** The extensions named by `-- requires:` lines of the migration's opening comment block. */
export function requiredExtensions(sql: string): string[] {
  const required: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('--')) break;
    const match = /^--\s*requires:\s*(.+)$/.exec(trimmed);
    if (match?.[1])
      required.push(
        ...match[1]
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean),
      );
  }
  return required;
}

export function loadMigrations(target: MigrationTarget, dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, file.indexOf('_'))),
        name: file,
        sql: source.replaceAll('{{schema}}', target.schema).replaceAll('{{app_role}}', target.appRole),
        requires: requiredExtensions(source),
      };
    });
}

async function unavailableExtensions(db: SqlExecutor, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const available = await db.query<{ name: string }>(
    'SELECT name FROM pg_available_extensions WHERE name = ANY($1::text[])',
    [[...names]],
  );
  const offered = new Set(available.rows.map((row) => row.name));
  return names.filter((name) => !offered.has(name));
}

export async function migrate(
  db: SqlDatabase,
  target: MigrationTarget,
  dir = MIGRATIONS_DIR,
): Promise<MigrationReport> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${target.schema};
    CREATE TABLE IF NOT EXISTS ${target.schema}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const report: MigrationReport = { applied: [], skipped: [] };
  for (const migration of loadMigrations(target, dir)) {
    const outcome = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ai-subgraph-migrate:${target.schema}`]);
      const done = await tx.query(`SELECT 1 FROM ${target.schema}.schema_migrations WHERE version = $1`, [
        migration.version,
      ]);
      if (done.rows.length > 0) return { ran: false, missing: [] };
      const missing = await unavailableExtensions(tx, migration.requires);
      if (missing.length > 0) return { ran: false, missing };
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query(`INSERT INTO ${target.schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      return { ran: true, missing: [] };
    });
    if (outcome.ran) report.applied.push(migration.name);
    if (outcome.missing.length > 0)
      report.skipped.push({ name: migration.name, missingExtensions: outcome.missing });
  }
  return report;
}

// Statements end with ';' at a line end; DO blocks are $$-quoted, so semicolons inside them are skipped.
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollarQuote = false;
  for (const line of sql.split('\n')) {
    if (line.trimStart().startsWith('--') && !inDollarQuote) continue;
    current += line + '\n';
    const dollars = line.match(/\$\$/g)?.length ?? 0;
    if (dollars % 2 === 1) inDollarQuote = !inDollarQuote;
    if (!inDollarQuote && line.trimEnd().endsWith(';')) {
      statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
