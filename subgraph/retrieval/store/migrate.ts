// Applies the versioned SQL migrations in order, once each, under a lock so replicas starting together agree.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDatabase } from './sql';

const MIGRATIONS_DIR = join(__dirname, 'migrations');

export interface MigrationTarget {
  schema: string;
  appRole: string;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(target: MigrationTarget, dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, file.indexOf('_'))),
      name: file,
      sql: readFileSync(join(dir, file), 'utf8')
        .replaceAll('{{schema}}', target.schema)
        .replaceAll('{{app_role}}', target.appRole),
    }));
}

export async function migrate(db: SqlDatabase, target: MigrationTarget): Promise<string[]> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${target.schema};
    CREATE TABLE IF NOT EXISTS ${target.schema}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const migration of loadMigrations(target)) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ai-subgraph-migrate:${target.schema}`]);
      const done = await tx.query(`SELECT 1 FROM ${target.schema}.schema_migrations WHERE version = $1`, [
        migration.version,
      ]);
      if (done.rows.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query(`INSERT INTO ${target.schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
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
