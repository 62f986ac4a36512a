// The injection screen's verdict as the store keeps it beside each chunk (migration 007): written by
// putDocument in the ingest's transaction, read back on every search row. The store only keeps and returns
// verdicts; the screen that makes them, and the rule for when a kept one is stale, are guardrails'.
import { CHUNK_FLAG_KINDS } from '../../guardrails/injection/chunk-flag-kind';
import type { ChunkFlagKind } from '../../guardrails/injection/chunk-flag-kind';

/** A chunk the screen flagged: its strongest category and the screen's combined score (0 to 1). */
export interface ChunkFlag {
  kind: ChunkFlagKind;
  score: number;
}

/** The verdicts of one ingest: one per chunk, in chunk order (null: not flagged), by rules of `version`. */
export interface ChunkScreening {
  version: number;
  flags: readonly (ChunkFlag | null)[];
}

export function checkScreening(screening: ChunkScreening, chunks: number): void {
  if (!Number.isInteger(screening.version) || screening.version < 1 || screening.version > 32_767)
    throw new RangeError(`screening.version: not a screen version (1 to 32767): ${screening.version}`);
  if (screening.flags.length !== chunks)
    throw new RangeError(`screening.flags: ${screening.flags.length} verdicts for ${chunks} chunks`);
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(CHUNK_FLAG_KINDS);
const isKnownKind = (value: string): value is ChunkFlagKind => KNOWN_KINDS.has(value);

/**
 * A row's stored verdict. A category this code does not know (written by a newer release, read by an older
 * one after a rollback) cannot be trusted as a verdict: the chunk then reads as unscreened, to be screened
 * again by these rules.
 */
export function storedVerdict(row: {
  flag_kind: string | null;
  flag_score: number | null;
  screen_version: number | null;
}): { flag: ChunkFlag | null; screenVersion: number | null } {
  if (row.screen_version === null) return { flag: null, screenVersion: null };
  if (row.flag_kind === null) return { flag: null, screenVersion: row.screen_version };
  if (!isKnownKind(row.flag_kind)) return { flag: null, screenVersion: null };
  return {
    flag: { kind: row.flag_kind, score: Number(row.flag_score) },
    screenVersion: row.screen_version,
  };
}
