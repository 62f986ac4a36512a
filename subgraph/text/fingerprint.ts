// Stable fingerprints of inputs: the features name what makes two requests the same (the normalized
// question, a document's id and version, the chunks retrieved) and the gateway keys its cache by it, so
// neither needs to know how the other lays out its keys.
import { createHash } from 'node:crypto';
import { collapseWhitespace } from './collapse-whitespace';

/** A short, stable digest of any JSON-serializable parts, in order. */
export function fingerprint(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** Lowercased, whitespace-collapsed, NFKC: trivially different spellings of one question share a fingerprint. */
export function normalizeForFingerprint(text: string): string {
  return collapseWhitespace(text.normalize('NFKC').toLowerCase()).trim();
}

/**
 * Whitespace-collapsed and NFKC, case kept: for a text the answer reproduces. A summary quotes its text's
 * names, codes and acronyms as written, so "IT" and "it" are two texts; a question asked in another case is not.
 */
export function normalizeTextForFingerprint(text: string): string {
  return collapseWhitespace(text.normalize('NFKC')).trim();
}
