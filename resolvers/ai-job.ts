// Background AI jobs: start, read, cancel and watch, for the caller's tenant only. A job maps to AIJob here;
// its result goes through the same union mapping as the synchronous fields, so a client renders it alike.
import { JobLimitError } from '../subgraph/errors/job-limit-error';
import type { FeatureCall } from '../subgraph/features/feature-call';
import { unreachable } from '../subgraph/errors/unreachable';
import type { JobRecord, JobStatus } from '../subgraph/jobs/job-record';
import type {
  AiJobStatus,
  MutationResolvers,
  QueryResolvers,
  ResolversTypes,
  SubscriptionResolvers,
} from '../subgraph/generated/graphql';
import { abortable } from './abortable';
import { toAskResult, toSummarizeResult } from './to-union';

type AIJob = ResolversTypes['AIJob'];

const STATUS: Record<JobStatus, AiJobStatus> = {
  queued: 'QUEUED',
  running: 'RUNNING',
  completed: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
};

interface JobResults {
  summary: ResolversTypes['SummarizeResult'] | null;
  answer: ResolversTypes['AskResult'] | null;
}

function resultOf(job: JobRecord): JobResults {
  switch (job.kind) {
    case 'summary':
      return { summary: job.result ? toSummarizeResult(job.result) : null, answer: null };
    case 'answer':
      return { summary: null, answer: job.result ? toAskResult(job.result) : null };
    default:
      return unreachable(job);
  }
}

export function toAIJob(job: JobRecord): AIJob {
  return {
    id: job.id,
    kind: job.kind === 'summary' ? 'SUMMARY' : 'ANSWER',
    status: STATUS[job.status],
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
    ...resultOf(job),
  };
}

const orNull = (job: JobRecord | null): AIJob | null => (job ? toAIJob(job) : null);

export const jobMutations: Pick<MutationResolvers, 'startSummaryJob' | 'startAskJob' | 'cancelAIJob'> = {
  startSummaryJob: async (_root, { input }, ctx) =>
    toAIJob(await ctx.jobs.start('summary', ctx.call().tenant, input)),
  startAskJob: async (_root, { input }, ctx) =>
    toAIJob(await ctx.jobs.start('answer', ctx.call().tenant, input)),
  cancelAIJob: async (_root, { id }, ctx) => orNull(await ctx.jobs.cancel(ctx.call().tenant.tenantId, id)),
};

export const jobQueries: Pick<QueryResolvers, 'aiJob'> = {
  aiJob: async (_root, { id }, ctx) => orNull(await ctx.jobs.get(ctx.call().tenant.tenantId, id)),
};

/** A job subscription over its connection's or its tenant's stream limit, refused naming that limit. */
function watchRefused(limitOf: 'connection' | 'tenant', call: FeatureCall): JobLimitError {
  switch (limitOf) {
    case 'connection': {
      const max = call.connectionStreams?.max ?? 0;
      return new JobLimitError(
        'WS_MAX_STREAMS_PER_CONNECTION',
        max,
        `This connection already holds ${max} streams and job subscriptions, the most WS_MAX_STREAMS_PER_CONNECTION allows; end one or open another connection.`,
      );
    }
    case 'tenant': {
      const max = call.tenant.policy.limits.maxConcurrentStreams;
      return new JobLimitError(
        'limits.maxConcurrentStreams',
        max,
        `The tenant already holds ${max} streams and job subscriptions, the most its limits.maxConcurrentStreams allows; end one and try again.`,
      );
    }
    default:
      return unreachable(limitOf);
  }
}

export const jobSubscriptions: Pick<SubscriptionResolvers, 'aiJobUpdated'> = {
  aiJobUpdated: {
    // Resolved before the stream starts, so an unknown id is the subscription's error, not a broken stream.
    subscribe: async (_root, { id }, ctx) => {
      const call = ctx.call();
      // Each subscription reads its job from the store while the job waits: it takes the slots an AI stream
      // takes, its connection's (WS_MAX_STREAMS_PER_CONNECTION) and its tenant's over every replica
      // (limits.maxConcurrentStreams), so neither one socket nor many sockets of one tenant watch without bound.
      // Taken before the job is read: a refused subscription costs no read.
      const admission = await ctx.features.admitStream(call);
      if (!admission.admitted) throw watchRefused(admission.limitOf, call);
      // Both slots come back when the subscription ends, however (its final event, an unsubscribe, the socket
      // closed, an error).
      const release = () => void admission.release();
      try {
        const updates = await ctx.jobs.updates(call.tenant.tenantId, id);
        return abortable(updates, toAIJob, release);
      } catch (error) {
        release();
        throw error;
      }
    },
    resolve: (job: AIJob) => job,
  },
};
