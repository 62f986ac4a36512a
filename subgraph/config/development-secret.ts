// The development signing secret: random, never in the source, so a deployment that forgets NODE_ENV and
// AUTH_* does not accept tokens anyone could forge from a published constant. It is kept in DATA_DIR (mode
// 0600) so that tokens from `npm run token` survive a restart; with DATA_DIR=:memory: each start makes its own.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/config-error';

export const DEVELOPMENT_SECRET_FILE = 'dev-signing-secret';
const SECRET_BYTES = 32;
const MIN_SECRET_CHARS = 32;

/** The file the development secret of `dataDir` is kept in; null for `:memory:`, whose secret is per start. */
export function developmentSecretFile(dataDir: string): string | null {
  return dataDir === ':memory:' ? null : join(dataDir, DEVELOPMENT_SECRET_FILE);
}

/** Reads the development secret kept in `dataDir`, creating it on first use; a fresh one for `:memory:`. */
export function developmentSecret(dataDir: string): string {
  const file = developmentSecretFile(dataDir);
  if (file === null) return newSecret();
  const existing = readSecret(file);
  if (existing !== null) return existing;
  mkdirSync(dataDir, { recursive: true });
  // Written whole under a name of its own, then linked into place: a start racing this one (or `npm run token`)
  // sees either no file or a complete one, and the first link wins for both.
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, `${newSecret()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const created = readSecret(file);
  if (created === null) throw new ConfigError(`DATA_DIR: ${file} vanished while it was being created`);
  return created;
}

function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

function readSecret(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_CHARS) {
    throw new ConfigError(
      `DATA_DIR: ${file} expects a development secret of at least ${MIN_SECRET_CHARS} characters (delete it to make a new one)`,
    );
  }
  return secret;
}
