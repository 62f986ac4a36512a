// The background AI job operations the suites send (startSummaryJob, startAskJob, aiJob, cancelAIJob,
// aiJobUpdated), each selecting the whole AIJob with its results' unions in full.
import { ASK_RESULT, SUMMARIZE_RESULT } from './operations';
import type { AskResult, SummarizeResult } from './results';

const AI_JOB = `id kind status attempts createdAt startedAt completedAt
  summary { ${SUMMARIZE_RESULT} }
  answer { ${ASK_RESULT} }`;

export interface AIJob {
  id: string;
  kind: 'SUMMARY' | 'ANSWER';
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  summary: SummarizeResult | null;
  answer: AskResult | null;
}

/** Variables: `input: SummarizeInput`. Data: `{ startSummaryJob: AIJob }`. */
export const START_SUMMARY_JOB = `mutation StartSummaryJob($input: SummarizeInput!) {
  startSummaryJob(input: $input) { ${AI_JOB} }
}`;

/** Variables: `input: AskInput`. Data: `{ startAskJob: AIJob }`. */
export const START_ASK_JOB = `mutation StartAskJob($input: AskInput!) { startAskJob(input: $input) { ${AI_JOB} } }`;

/** Variables: `id`. Data: `{ aiJob: AIJob | null }`. */
export const AI_JOB_QUERY = `query AIJob($id: ID!) { aiJob(id: $id) { ${AI_JOB} } }`;

/** Variables: `id`. Data: `{ cancelAIJob: AIJob | null }`. */
export const CANCEL_AI_JOB = `mutation CancelAIJob($id: ID!) { cancelAIJob(id: $id) { ${AI_JOB} } }`;

/** Variables: `id`. Data per event: `{ aiJobUpdated: AIJob }`. */
export const AI_JOB_UPDATED = `subscription AIJobUpdated($id: ID!) { aiJobUpdated(id: $id) { ${AI_JOB} } }`;

/** Subgraph variables for job suites: short deadlines and polling, so a run, a retry or a takeover is quick. */
export const FAST_JOBS = {
  JOB_DEADLINE_MS: '3000',
  JOB_EXPIRY_MARGIN_MS: '1000',
  JOB_POLL_INTERVAL_MS: '50',
  JOB_RETRY_DELAY_SECONDS: '1',
  JOB_MAINTENANCE_INTERVAL_SECONDS: '1',
} as const;
