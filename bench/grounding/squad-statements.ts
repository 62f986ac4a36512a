// Claims for the grounding benchmark, built from the SQuAD v2 dev subset: each answerable question turned into a
// declarative statement holding its gold answer (cited to the gold paragraph), and the same statement with the
// answer swapped for another of the set's answers of the same kind: a number for a number, a date for a date,
// a name for a name (and a name for an answer of no such kind).
import { readSquad, SQUAD_DEV_SUBSET } from '../retrieval/squad';
import { seededRandom } from '../support/corpus';

export type AnswerKind = 'number' | 'date' | 'name' | 'other';

export interface GoldStatement {
  id: string;
  paragraphId: string;
  paragraph: string;
  question: string;
  answer: string;
  kind: AnswerKind;
  statement: string;
}

export interface PerturbedStatement extends GoldStatement {
  replacement: string;
  /** Whether the replacement occurs anywhere in the gold paragraph (then no fact check can see the swap). */
  replacementInParagraph: boolean;
}

const MONTH = /\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b/;
const NUMBER_WORD =
  /\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|thousand|million|billion)\b/i;
const FUNCTION_WORD = /^(?:the|a|an|in|on|at|by|of|and|or)$/i;

/** What kind of fact an answer is, by its form alone. */
export function answerKind(answer: string): AnswerKind {
  if (MONTH.test(answer) || /^(?:in |c\. )?\d{4}$/.test(answer.trim())) return 'date';
  if (/\d/.test(answer) || NUMBER_WORD.test(answer)) return 'number';
  const words = answer.split(/\s+/).filter((word) => !FUNCTION_WORD.test(word));
  return words.some((word) => /^["'(]?\p{Lu}/u.test(word)) ? 'name' : 'other';
}

const WH =
  /\b(how many|how much|how long|how often|how old|how far|who|whom|whose|what|which|when|where|why|how)\b/i;

/**
 * The question as a statement: its wh-phrase replaced by the answer ("Who ruled Cyprus in 1191?" → "Isaac
 * Komnenos ruled Cyprus in 1191."), "in" before a when/where answer; a question with no wh-word gets
 * ", namely <answer>". The word order stays the question's: the check reads words and facts, not syntax.
 */
export function declarative(question: string, answer: string): string {
  const stripped = question.trim().replace(/\s*\?+\s*$/, '');
  const match = WH.exec(stripped);
  let text: string;
  if (!match) text = `${stripped}, namely ${answer}`;
  else {
    const wh = (match[1] ?? '').toLowerCase();
    const placed =
      (wh === 'when' || wh === 'where') && !/^(?:in|on|at|during|by|from|near)\b/i.test(answer)
        ? `in ${answer}`
        : wh === 'whose'
          ? `${answer}'s`
          : answer;
    text = stripped.slice(0, match.index) + placed + stripped.slice(match.index + match[0].length);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export function loadGoldStatements(file = SQUAD_DEV_SUBSET): GoldStatement[] {
  const squad = readSquad(file);
  const statements: GoldStatement[] = [];
  squad.data.forEach((article, a) =>
    article.paragraphs.forEach((paragraph, p) => {
      for (const qa of paragraph.qas) {
        const answer = qa.answers[0]?.text.trim();
        if (qa.is_impossible === true || !answer) continue;
        statements.push({
          id: qa.id,
          paragraphId: `${a}-${p}`,
          paragraph: paragraph.context,
          question: qa.question,
          answer,
          kind: answerKind(answer),
          statement: declarative(qa.question, answer),
        });
      }
    }),
  );
  return statements;
}

/**
 * Each gold statement with its answer replaced by another answer of the same kind from another paragraph.
 * `outsideParagraph` picks only replacements the gold paragraph does not contain anywhere: a swap to a
 * fact the paragraph does state ("Charles" for "Rollo" where both are named) is a wrong relation, which no
 * check of facts against the text can see.
 */
export function perturb(
  statements: readonly GoldStatement[],
  outsideParagraph: boolean,
): PerturbedStatement[] {
  const pools = new Map<AnswerKind, { answer: string; paragraphId: string }[]>();
  for (const { kind, answer, paragraphId } of statements) {
    const pool = pools.get(kind) ?? [];
    if (!pool.some((entry) => entry.answer.toLowerCase() === answer.toLowerCase()))
      pool.push({ answer, paragraphId });
    pools.set(kind, pool);
  }
  const next = seededRandom(10);
  return statements.flatMap((gold) => {
    const kind = gold.kind === 'other' ? 'name' : gold.kind;
    const paragraph = gold.paragraph.toLowerCase();
    const candidates = (pools.get(kind) ?? []).filter(
      ({ answer, paragraphId }) =>
        paragraphId !== gold.paragraphId &&
        answer.toLowerCase() !== gold.answer.toLowerCase() &&
        (!outsideParagraph || !paragraph.includes(answer.toLowerCase())),
    );
    const replacement = candidates[Math.floor(next() * candidates.length)]?.answer;
    if (!replacement) return [];
    return [
      {
        ...gold,
        replacement,
        replacementInParagraph: paragraph.includes(replacement.toLowerCase()),
        statement: declarative(gold.question, replacement),
      },
    ];
  });
}
