// Word tokenizer shared by the extractive scorers so both see the same vocabulary.
import { cjkBigrams, hasCjk } from './cjk';

// Letters, combining marks and digits, with inner apostrophes kept so "don't" stays one (stopword) token.
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{M}\p{N}]+)*/gu;

/** `text` folded for matching: NFKC folds compatibility forms (ligatures, full-width letters), then lowercased. */
const fold = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[’‘]/g, "'");

/**
 * Lowercased word tokens of any script; punctuation and whitespace are dropped. A run of Chinese, Japanese or
 * Korean characters gives its overlapping bigrams (cjk.ts), apart from any Latin letters or digits glued to
 * it ("Acme社の30日" → "acme", "社の", "30", "日"): as one token it would be a whole clause, which no other
 * text shares. Text without CJK is tokenized as before.
 */
export function tokenize(text: string): string[] {
  const folded = fold(text);
  return (hasCjk(folded) ? cjkBigrams(folded) : folded).match(TOKEN) ?? [];
}

/**
 * Tokens as `tokenize` gave them before CJK text was cut into bigrams: a run of CJK characters, with any
 * letters or digits glued to it, is one token. For matching long runs of words (an echo of a prompt), where
 * bigrams would make nine shared characters a run of eight "words".
 */
export function wordTokens(text: string): string[] {
  return fold(text).match(TOKEN) ?? [];
}
