// What every feature returns: full, degraded (with why), or unavailable. Resolvers map it to a union member.

import type { DegradationReason } from '../gateway/degradation-reason';
import type { OwnLimit } from './degraded-message';

export type { DegradationReason };

export interface ResultMeta {
  requestId: string;
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  cached: boolean;
  latencyMs: number;
  costUsd: number;
}

export interface Unavailable {
  kind: 'unavailable';
  reason: DegradationReason;
  message: string;
  retryAfterSeconds: number | null;
}

export type FeatureResult<Full, Degraded> =
  | { kind: 'full'; value: Full; meta: ResultMeta }
  | {
      kind: 'degraded';
      value: Degraded;
      reason: DegradationReason;
      meta: ResultMeta;
      /** Where our own limit, not the provider, held the model call back: the message names it. */
      ownLimit?: OwnLimit;
    }
  | Unavailable;

export interface Passage {
  documentId: string;
  chunkId: string;
  title: string;
  snippet: string;
}

export interface SearchHitValue extends Passage {
  score: number;
}

export type SummarizeOutcome = FeatureResult<{ text: string }, { text: string }>;
export type SearchOutcome = FeatureResult<{ hits: SearchHitValue[] }, { hits: SearchHitValue[] }>;
export type AskOutcome = FeatureResult<{ text: string; citations: Passage[] }, { passages: Passage[] }>;
