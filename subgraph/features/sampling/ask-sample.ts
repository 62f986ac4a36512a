// What an ask's sample records: the question, the passages the model was given (by chunk id), the answer or
// the passages served instead; graded as an answer against those passages, numbered as the model saw them.
import type { AskDegraded, AskFull, AskSource } from '../ask';
import type { AskInput } from '../inputs';
import type { SampleSpec } from './sample-of';
import { passageLines } from './sample-of';

/** Reads only the passages of the source: any ask pipeline's (the rails benchmark's baseline too) will do. */
export const askSample: SampleSpec<AskInput, Pick<AskSource, 'passages'>, AskFull, AskDegraded> = {
  input: (input) => input.question,
  fullOutput: (value) => value.text,
  degradedOutput: (value) => passageLines(value.passages),
  chunkIds: (source) => source.passages.map((passage) => passage.chunkId),
  subject: (source, reply) => ({
    kind: 'answer',
    reply,
    passages: source.passages.map((passage, i) => ({ index: i + 1, text: passage.content })),
  }),
};
