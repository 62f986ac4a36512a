// The one interface every model provider adapter implements; the gateway knows providers only through it.

export type { ProviderName } from './registry';

export interface CompletionRequest {
  model: string;
  system: string;
  user: string;
  maxTokens: number;
  /** Aborted at the attempt's timeout or the request's deadline: the SDK call is abandoned, not awaited. */
  signal: AbortSignal;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /**
   * The model the provider says served the call (its reply's `model`: often a dated snapshot of the alias asked
   * for), for the span's gen_ai.response.model; absent where the reply named none.
   */
  responseModel?: string;
}

export interface Completion {
  text: string;
  usage: TokenUsage;
}

/**
 * A stream's text as it comes, and its usage at the end. `input`: the prompt's tokens as the provider counted
 * them before its answer (Anthropic's message_start), what a stream that ends before its usage was billed for
 * its prompt.
 */
export type StreamChunk =
  | { type: 'delta'; text: string }
  | { type: 'input'; inputTokens: number }
  | { type: 'usage'; usage: TokenUsage };

export interface EmbeddingRequest {
  model: string;
  input: string[];
  signal: AbortSignal;
}

export interface Embeddings {
  vectors: number[][];
  usage: TokenUsage;
}

export interface ModelProvider {
  /** The registry's name for it (a string here: the registry's own type is built from the adapters). */
  readonly name: string;
  complete(request: CompletionRequest): Promise<Completion>;
  stream(request: CompletionRequest): AsyncIterable<StreamChunk>;
  /** Absent where the provider has no embeddings endpoint (Anthropic). */
  embed?(request: EmbeddingRequest): Promise<Embeddings>;
}
