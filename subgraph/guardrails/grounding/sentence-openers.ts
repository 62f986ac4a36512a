// Words that open a sentence capitalized without being names. A sentence's first word is capitalized whatever
// it is, so it cannot be told from a name by its case; these (and adverbs, participles) are known not to be.
import { opensOnConnective } from '../../text/connectives';
import { isStopword } from '../../text/stopwords';

const OPENERS: ReadonlySet<string> = new Set(
  (
    'according across although among another anyone anything around based besides certainly currently ' +
    'despite earlier either everyone everything every finally first given here including indeed instead last ' +
    'later like many neither next none nothing note one overall per perhaps please previously second ' +
    'several since someone something sure though today unless unlike whereas whether within without yes'
  ).split(' '),
);

/** Whether a sentence's first word, lowercased, is a word that opens sentences rather than a name. */
export function isCommonOpener(word: string): boolean {
  return (
    isStopword(word) ||
    OPENERS.has(word) ||
    opensOnConnective(word) ||
    // Adverbs ("Typically", "Clearly"), participles ("Using", "Based"), abstract nouns ("Classification",
    // "Complexity") and plurals ("Payments") open sentences; names rarely end so ("Italy" has a vowel before
    // its -ly). Plurals cost some names ("Charles", "Athens") at a sentence's head, but a common noun the
    // passages happen not to use ("Payments" where they say "refunds") would otherwise drop a true sentence.
    /(?:[^aeiouy]ly|ing|ed|tion|sion|ity|ment|ness|ship|[^su]s)$/.test(word)
  );
}
