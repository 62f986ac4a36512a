// Fake OpenAI and Anthropic servers with injectable faults: the provider stand-ins for tests and benchmarks.
export { FaultPlan } from './faults';
export type { Fault, FaultScope } from './faults';
export { startFakeOpenAI, openAIError } from './fake-openai';
export type { FakeOpenAIOptions } from './fake-openai';
export { startFakeAnthropic, anthropicError } from './fake-anthropic';
export type { FakeAnthropicOptions } from './fake-anthropic';
export type {
  ChatMessage,
  ChatRequest,
  FakeProviderServer,
  FakeServerOptions,
  RecordedRequest,
  Responder,
} from './server';
export { replyByTask } from './task-replies';
export type { TaskReplies } from './task-replies';
export { defaultResponder, estimateTokens, splitIntoDeltas } from './text';
export { cosineSimilarity, hashEmbedding, tokenize } from './vectors';
