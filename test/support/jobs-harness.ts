// The harness the job suites that queue many summaries share: the fake OpenAI server answering summaries and
// answers with fixed replies, the fast job settings, and the text they summarize (each suite adds a number
// to it, so no two jobs share a cache entry).
import { startHarness } from './harness';
import type { Harness } from './harness';
import { FAST_JOBS } from './job-operations';
import { replyByTask } from './providers/task-replies';

export const JOB_TEXT =
  'The depot opens at six. Trucks leave for the coast every hour. Drivers rest after four hours.';

export function startJobsHarness(options: {
  store: 'postgres' | 'pglite';
  env: Record<string, string>;
}): Promise<Harness> {
  return startHarness({
    providers: ['openai'],
    store: options.store,
    responder: replyByTask({ summary: 'Trucks leave every hour.', answer: 'Every hour [1].' }),
    env: { ...FAST_JOBS, ...options.env },
  });
}
