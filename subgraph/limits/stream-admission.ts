// Whether a stream may open: one slot of its connection's (graphql-ws), then one of its tenant's (over every
// replica). A stream refused here costs no provider call; the pipeline answers it with AIUnavailable
// RATE_LIMITED naming the limit. Both slots are released together when the stream ends, however it ends.
import type { FeatureCall } from '../features/feature-call';
import type { FeatureDeps } from '../features/feature-deps';
import type { StreamLease } from '../state/stream-leases';

/**
 * An admitted stream's release() may be called more than once: only the first gives its slots back. A refused
 * one says whose limit refused it: the connection's (the operator's WS_MAX_STREAMS_PER_CONNECTION) or the
 * tenant's own (its policy's maxConcurrentStreams).
 */
export type StreamAdmission =
  | { admitted: true; release(): Promise<void> }
  | { admitted: false; message: string; limitOf: 'connection' | 'tenant' };

export async function admitStream(
  deps: Pick<FeatureDeps, 'streamLeases' | 'logger'>,
  call: FeatureCall,
): Promise<StreamAdmission> {
  const { connectionStreams } = call;
  const releaseConnection = connectionStreams ? connectionStreams.take() : () => undefined;
  if (!releaseConnection)
    return {
      admitted: false,
      limitOf: 'connection',
      message: `This connection already holds ${connectionStreams?.max} streams, the most WS_MAX_STREAMS_PER_CONNECTION allows; end one or open another connection.`,
    };
  const limit = call.tenant.policy.limits.maxConcurrentStreams;
  let lease: StreamLease | null;
  try {
    lease = await deps.streamLeases.acquire(call.tenant.tenantId, limit);
  } catch (error) {
    // Redis away: the stream is served uncounted (the connection's limit still holds) rather than refused,
    // as every other use of Redis here degrades instead of failing the request.
    deps.logger.warn(
      { err: error, requestId: call.requestId },
      'stream lease unavailable, stream not counted',
    );
    lease = { release: () => Promise.resolve() };
  }
  if (!lease) {
    releaseConnection();
    return {
      admitted: false,
      limitOf: 'tenant',
      message: `The tenant already holds ${limit} concurrent streams, the most its limits.maxConcurrentStreams allows; end one and try again.`,
    };
  }
  const held = lease;
  return {
    admitted: true,
    release: async () => {
      releaseConnection();
      await held.release();
    },
  };
}
