// A light English stemmer: folds the inflections that make one word look like several ("invoice",
// "invoices", "invoiced", "invoicing" → "invoic"), so a headline and the sentences after it share their words.
// Not Porter: derivations ("invoicer", "relational") stay apart, which costs little when ranking sentences.

const MIN_STEM = 3;

function strip(word: string, suffix: string): string | undefined {
  return word.endsWith(suffix) && word.length - suffix.length >= MIN_STEM
    ? word.slice(0, -suffix.length)
    : undefined;
}

/** The light stem of a lowercased word token. */
export function lightStem(word: string): string {
  let stem = word;
  if (stem.endsWith('ies') && stem.length > 4) stem = `${stem.slice(0, -3)}y`;
  else if (!stem.endsWith('ss') && !stem.endsWith('us') && !stem.endsWith('is'))
    stem = strip(stem, 'ing') ?? strip(stem, 'ed') ?? strip(stem, 's') ?? stem;
  // "process", "class": a double final consonant left by stripping ("stopped" → "stopp") folds to one.
  if (/([b-df-hj-np-tv-z])\1$/.test(stem) && !stem.endsWith('ss') && !stem.endsWith('ll'))
    stem = stem.slice(0, -1);
  return stem.length > MIN_STEM && stem.endsWith('e') ? stem.slice(0, -1) : stem;
}
