// Input bounds of every feature, in zod: checked before anything is read, stored or sent to a model.
import { z } from 'zod';
import { InputError } from '../errors/input-error';

export const LIMITS = {
  queryChars: 1_000,
  questionChars: 2_000,
  textChars: 100_000,
  titleChars: 500,
  bodyChars: 1_000_000,
  idChars: 256,
  maxWords: { min: 10, max: 1_000 },
  resultLimit: { min: 1, max: 50 },
} as const;

/**
 * A string PostgreSQL can store as it was sent. Its `text` cannot hold NUL, and an unpaired surrogate has no
 * UTF-8 form: the drivers send U+FFFD instead, so two different ids would silently become one.
 */
const storableString = () =>
  z
    .string()
    .refine((value) => value.isWellFormed(), {
      message: 'must be well-formed Unicode (no unpaired surrogates)',
    })
    .refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL characters' });

const text = (max: number) =>
  storableString()
    .refine((value) => value.trim().length > 0, { message: 'must not be empty' })
    .refine((value) => value.length <= max, { message: `must be at most ${max} characters` });

/** Markup tags and character references: no words of the text's own ("<div></div>", "&nbsp;"). */
const MARKUP = /<\/?[A-Za-z!][^<>]*>|&#?[A-Za-z0-9]+;/g;

/**
 * Text a model or a search reads as words: besides `text`'s bounds, at least one letter or digit outside
 * markup. Emoji, punctuation, invisible characters or empty tags alone ("🙂 🙂", "\u200b", "<div></div>")
 * hold nothing to search, answer or summarize.
 */
const wordyText = (max: number) =>
  text(max).refine((value) => /[\p{L}\p{N}]/u.test(value.replace(MARKUP, ' ')), {
    message: 'must contain at least one letter or digit',
  });

/** A document id, wherever a client names one: ingest, delete, summarize, a Document representation. */
export const documentIdSchema = text(LIMITS.idChars);

/**
 * An `ID` where no GraphQL variable coerced it (a field of an `_Any` representation), coerced as the spec's ID
 * input coercion says: a string as it is, an integer as its decimal digits. An integer past 2^53 has already
 * lost digits in JSON and would name another id, so it is refused with the rest.
 */
const idInput = z.union([z.string(), z.int().transform(String)], {
  error: (issue) =>
    issue.input === undefined ? 'is required' : 'must be an ID: a string, or an integer below 2^53',
});

/**
 * A Document representation as `_entities` receives it: its key, `id`; other fields are not read. The id is the
 * owner subgraph's, under the owner's rules, not this subgraph's ingest bounds: one ingest refuses (longer than
 * LIMITS.idChars, blank) is still a Document, whose aiSummary is NOT_FOUND (it cannot have been ingested), not
 * a null entity that takes the owner's fields with it. Only what no store can hold as sent is refused: NUL and
 * unpaired surrogates (`storableString`), which PostgreSQL would refuse or silently make another id.
 */
export const documentReferenceSchema = z.object({ id: idInput.pipe(storableString()) });
const limit = (fallback: number) =>
  z
    .number()
    .int()
    .min(LIMITS.resultLimit.min, {
      message: `must be between ${LIMITS.resultLimit.min} and ${LIMITS.resultLimit.max}`,
    })
    .max(LIMITS.resultLimit.max, {
      message: `must be between ${LIMITS.resultLimit.min} and ${LIMITS.resultLimit.max}`,
    })
    .nullish()
    .transform((value) => value ?? fallback);

export const maxWordsSchema = z
  .number()
  .int()
  .min(LIMITS.maxWords.min, { message: `must be between ${LIMITS.maxWords.min} and ${LIMITS.maxWords.max}` })
  .max(LIMITS.maxWords.max, { message: `must be between ${LIMITS.maxWords.min} and ${LIMITS.maxWords.max}` })
  .nullish();

/** Document.aiSummary's arguments: checked as they are, so a bad one is named `maxWords`, not `input.maxWords`. */
export const aiSummaryArgsSchema = z.object({ maxWords: maxWordsSchema });

export const searchInputSchema = z.object({ query: wordyText(LIMITS.queryChars), limit: limit(10) });
export const askInputSchema = z.object({ question: wordyText(LIMITS.questionChars), limit: limit(6) });
export const ingestInputSchema = z.object({
  id: documentIdSchema,
  title: text(LIMITS.titleChars),
  body: text(LIMITS.bodyChars),
});
export const summarizeInputSchema = z
  .object({
    documentId: documentIdSchema.nullish(),
    text: wordyText(LIMITS.textChars).nullish(),
    maxWords: maxWordsSchema,
  })
  .superRefine((value, ctx) => {
    const given = [value.documentId, value.text].filter((v) => v !== null && v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['documentId'],
        message: 'give exactly one of documentId and text',
      });
    }
  });

export type SearchInput = z.output<typeof searchInputSchema>;
export type AskInput = z.output<typeof askInputSchema>;
export type IngestInput = z.output<typeof ingestInputSchema>;
export type SummarizeInput = z.output<typeof summarizeInputSchema>;

/**
 * Parses `value` or throws an InputError naming the first bad field as the client wrote it (`input.query`).
 * A null root names fields relative to `value` (`id`), for a caller that adds where `value` sits (`within`).
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  root: string | null = 'input',
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const field = (root === null ? path : [root, ...path]).join('.');
  throw new InputError(field, issue?.message ?? 'is invalid');
}
