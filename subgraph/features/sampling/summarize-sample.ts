// What a summary's sample records: the text (or the document's id) and the summary served; graded as a
// summary of the text the model was given.
import type { SummarizeSource, SummaryText } from '../summarize';
import type { SummarizeInput } from '../inputs';
import type { SampleSpec } from './sample-of';

export const summarizeSample: SampleSpec<SummarizeInput, SummarizeSource, SummaryText, SummaryText> = {
  input: (input) => (input.documentId ? `documentId: ${input.documentId}` : (input.text ?? '')),
  fullOutput: (value) => value.text,
  degradedOutput: (value) => value.text,
  chunkIds: () => [],
  subject: (source, reply) => ({ kind: 'summary', reply, source: source.text }),
};
