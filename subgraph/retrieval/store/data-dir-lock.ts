// One process per PGlite data folder. PGlite keeps the database in memory and writes it back to the folder, so
// two processes on one folder (a rolling update on a shared volume) each see only their own writes, and the
// one that exits last overwrites the other's. `<DATA_DIR>/.lock` names the process that has the folder open;
// a second process refuses to start rather than lose data. It is taken on the main thread, before the PGlite
// worker opens any file, and released once the worker has closed them (pglite-database.ts).
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_DIR_LOCK_FILE = '.lock';

/** What a lock file says: the process holding the folder; `token` tells this lock from an earlier one. */
interface Holder {
  pid: number;
  hostname: string;
  token?: string;
}

/** Another process has the data folder open (or may have: its lock could not be read). */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

export interface DataDirLock {
  /** The lock file, absolute. */
  readonly file: string;
  /** Removes the lock file if it is still this lock's; idempotent, never throws. */
  release(): void;
}

/**
 * The lock files this process holds. A lock naming this very pid on this host that is not among them was left by
 * an earlier process that had the same pid: a container restarted runs its server as pid 1 again.
 */
const heldHere = new Set<string>();

const errorCode = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;

/** Creates `file` with `text` only if it does not exist (O_EXCL: atomic on a local file system); false if it does. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock file's text, or null once it has gone. */
function readLock(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** The holder a lock's text names, or null when it names none (empty: its writer is mid-write, or died there). */
function holderOf(text: string): Holder | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { pid, hostname: host, token } = parsed as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || typeof host !== 'string') return null;
    return { pid: pid as number, hostname: host, ...(typeof token === 'string' ? { token } : {}) };
  } catch {
    return null;
  }
}

/**
 * Whether the holder surely no longer runs. Only a process on this host can be asked; one elsewhere (another
 * pod on the shared volume) is taken to run. EPERM: it runs, as another user.
 */
function isStale(file: string, holder: Holder): boolean {
  if (holder.hostname !== hostname()) return false;
  if (holder.pid === process.pid) return !heldHere.has(file);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return errorCode(error) === 'ESRCH';
  }
}

/**
 * Removes the stale lock whose text is `staleText`. It is first moved aside (atomic: of two processes taking
 * over at once only one moves a given file), so a fresh lock another process wrote meanwhile is never deleted
 * unseen: if the file moved is not the stale one, it is linked back in place.
 */
function removeStale(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    if (readFileSync(aside, 'utf8') !== staleText) {
      try {
        linkSync(aside, file);
      } catch (error) {
        // EEXIST: a third process made a lock meanwhile; it holds the folder, and that one stays.
        if (errorCode(error) !== 'EEXIST') renameSync(aside, file);
      }
    }
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // Already renamed back.
    }
  }
}

function inUse(dataDir: string, file: string, holder: Holder | null): DataDirInUseError {
  const who = holder ? `process ${holder.pid} on host ${holder.hostname}` : 'another process';
  // Across hosts (or when the lock is unreadable) it cannot be checked whether the holder still runs.
  const unverifiable = !holder || holder.hostname !== hostname();
  return new DataDirInUseError(
    `DATA_DIR: ${dataDir} is already open in ${who} (lock file ${file}); one process per DATA_DIR; use ` +
      `DATABASE_URL for several replicas` +
      (unverifiable ? `; if that process no longer runs, delete ${file}` : ''),
  );
}

/**
 * Takes the data folder for this process: creates its lock file, or takes over one a dead process on this host
 * left; throws DataDirInUseError, one line naming DATA_DIR and the holder, when another process has it.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = resolve(join(dataDir, DATA_DIR_LOCK_FILE));
  const text = `${JSON.stringify({ pid: process.pid, hostname: hostname(), token: randomBytes(8).toString('hex') })}\n`;
  let holder: Holder | null = null;
  // Three tries: a lock removed (released, or taken over as stale) between a try and the next is tried again.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(file, text)) return held(file, text);
    const found = readLock(file);
    if (found === null) continue;
    holder = holderOf(found);
    if (!holder || !isStale(file, holder)) break;
    removeStale(file, found);
  }
  throw inUse(dataDir, file, holder);
}

function held(file: string, text: string): DataDirLock {
  heldHere.add(file);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(file);
    process.off('exit', release);
    try {
      // Only this lock's own file: one that a later process wrote (after taking this one over) is theirs.
      if (readLock(file) === text) unlinkSync(file);
    } catch {
      // Best effort: a lock left behind names this pid, and the next start on this host takes it over.
    }
  };
  // A process that exits without closing its store (a fatal error) leaves no lock behind; SIGKILL still does.
  process.on('exit', release);
  return { file, release };
}
