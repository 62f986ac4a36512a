// Word tokenizer shared by the extractive scorers so both see the same vocabulary.

// Letters, combining marks and digits, with inner apostrophes kept so "don't" stays one (stopword) token.
const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{M}\p{N}]+)*/gu;

/** Lowercased word tokens of any script; punctuation and whitespace are dropped. */
export function tokenize(text: string): string[] {
  // NFKC folds compatibility forms (ligatures, full-width letters) so they match their plain spellings.
  const folded = text.normalize('NFKC').toLowerCase().replace(/[’‘]/g, "'");
  return folded.match(TOKEN) ?? [];
}
