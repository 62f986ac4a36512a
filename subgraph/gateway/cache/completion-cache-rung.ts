// The completion cache as the gateway's ladder uses it: each target's key, one read of every key of the chain,
// and the write of an answer. A cache outage is logged and costs a model call, never the answer.
import type { Logger } from '../../observability/logger';
import type { CompletionTask, GatewayCall, ModelAnswer } from '../gateway-call';
import { targetId } from '../routing/route-config';
import type { Target } from '../routing/route-config';
import { cacheKey } from './completion-cache';
import type { CachedCompletion, CompletionCache } from './completion-cache';

/** The key of one target's answer to the call: tenant, task, prompt version, target and input scope. */
export function completionKey(call: GatewayCall, promptVersion: string, target: Target): string {
  return cacheKey({
    tenantId: call.tenantId,
    task: call.task,
    promptVersion,
    targetId: targetId(target),
    scope: call.cacheScope,
  });
}

export class CompletionCacheRung {
  constructor(
    private readonly cache: CompletionCache,
    private readonly logger: Logger,
    private readonly settings: { cacheTtlMs: Record<CompletionTask, number>; staleGraceMs: number },
  ) {}

  async lookup(task: CompletionTask, keys: string[]): Promise<(CachedCompletion | null)[]> {
    try {
      return await this.cache.getMany(keys);
    } catch (error) {
      // A cache outage costs a model call, never the answer.
      this.logger.error({ err: error, task }, 'completion cache read failed');
      return keys.map(() => null);
    }
  }

  /** Never rejects: a cache outage costs a later model call, never this answer. */
  async store(task: CompletionTask, key: string, answer: ModelAnswer): Promise<void> {
    const ttlMs = this.settings.cacheTtlMs[task];
    if (ttlMs <= 0) return;
    const { text, provider, model, promptVersion } = answer;
    await this.cache
      .set(
        key,
        { text, provider, model, promptVersion, freshUntil: Date.now() + ttlMs },
        ttlMs,
        this.settings.staleGraceMs,
      )
      .catch((error: unknown) => this.logger.error({ err: error, task }, 'completion cache write failed'));
  }
}
