// What a feature asks of the gateway's embed task, and what comes back: one vector per text, or a typed
// failure. Each target of the embed chain is a different vector space (another model, often another
// dimension): a vector is only comparable with vectors of the same model, so the outcome names the model that
// answered and callers store and search vectors per model, never across them. A fallback target answering
// keeps the call alive, but in that target's space.
import type { ModelFailure } from './gateway-call';
import type { ProviderName } from './providers/model-provider';
import type { Deadline } from './resilience/deadline';
import type { SpendCaps } from '../limits/spend-limiter';

export type EmbedPurpose = 'query' | 'document';

export interface EmbedCall {
  tenantId: string;
  requestId: string;
  /** Query embeddings are cached per tenant (a repeated search costs no provider call); document ones are not. */
  purpose: EmbedPurpose;
  /** Non-empty strings; one vector comes back per text, in the same order. */
  texts: readonly string[];
  /** From `gateway.deadlineFor('embed')`: covers every batch and every target of the call. */
  deadline: Deadline;
  /** The tenant policy's provider allowlist; undefined allows every configured provider. */
  allowedProviders?: readonly ProviderName[];
  /**
   * Aborted when the caller stops listening: the provider request in flight is abandoned, counted as
   * abandoned (not against the target's circuit), and the call resolves as a failure nobody reads.
   */
  signal?: AbortSignal;
  /**
   * The tenant policy's redactBeforeProvider: each text is redacted on its own before any provider sees it,
   * so the vector is of the redacted text (semantic search cannot match the values; lexical search can).
   */
  redactPii?: boolean;
  /** The tenant's spend caps: each target attempt reserves its worst case (the input tokens) first. */
  spendCaps?: SpendCaps;
}

export interface Embedded {
  kind: 'embedded';
  provider: string;
  model: string;
  /** The length of every vector (0 only when no text was given). */
  dimensions: number;
  vectors: number[][];
  costNanos: number;
  /** True when every vector came from the query cache: no provider request was made. */
  cached: boolean;
}

export type EmbedOutcome = Embedded | ModelFailure;

/** The model whose space a tenant's vectors live in now: the first target of the embed chain it may use. */
export interface EmbeddingModel {
  provider: ProviderName;
  model: string;
}
