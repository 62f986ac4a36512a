// The topic scope of a tenant, by rules: a question naming a denied topic, or (when the tenant lists allowed
// topics) none of them, is out of scope. A topic is a phrase matched word by word on word boundaries, each
// word also in its plural or singular form, so "invoice" covers "invoices" and "salaries" covers "salary".
// Question and topics are read as the injection screen reads a text (injection/normalize.ts): invisible
// characters dropped, look-alike letters of other scripts folded to Latin, markup inside a word removed, so
// "sal\u200bary", "sаlary" with a Cyrillic "а" and "sal**ary**" all name "salary".
import type { TopicScope } from '../../tenancy/tenant-policies';
import { normalizeForScreen, renderedReading } from '../injection/normalize';

export type TopicVerdict =
  { inScope: true } | { inScope: false; rule: 'denied' | 'not-allowed'; topic: string | null };

const wordsOf = (text: string): string[] => text.match(/[\p{L}\p{N}]+/gu) ?? [];

/** The words of `text` in each way it reads: as written (normalized), and as rendered when markup splits a word. */
function readings(text: string): string[][] {
  const normalized = normalizeForScreen(text);
  const rendered = renderedReading(normalized);
  return rendered ? [wordsOf(normalized.text), wordsOf(rendered.text)] : [wordsOf(normalized.text)];
}

const words = (text: string): string[] => wordsOf(normalizeForScreen(text).text);

/** One spelling for a word's singular and plural: "policies" and "policy" -> "polic", "boxes" -> "box". */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3);
  if (word.length > 3 && word.endsWith('y')) return word.slice(0, -1);
  if (word.length > 4 && /(?:s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function mentions(question: readonly string[], topic: string): boolean {
  const phrase = words(topic).map(stem);
  if (phrase.length === 0) return false;
  for (let at = 0; at + phrase.length <= question.length; at++) {
    if (phrase.every((word, i) => question[at + i] === word)) return true;
  }
  return false;
}

export function topicVerdict(question: string, scope: TopicScope): TopicVerdict {
  if (scope.allow.length === 0 && scope.deny.length === 0) return { inScope: true };
  const stemmed = readings(question).map((reading) => reading.map(stem));
  const named = (topic: string) => stemmed.some((stems) => mentions(stems, topic));
  const denied = scope.deny.find(named);
  if (denied !== undefined) return { inScope: false, rule: 'denied', topic: denied };
  if (scope.allow.length > 0 && !scope.allow.some(named)) {
    return { inScope: false, rule: 'not-allowed', topic: null };
  }
  return { inScope: true };
}
