// OpenAI, and any OpenAI-compatible self-hosted server (vLLM, Ollama, llama.cpp), through the official SDK.
import OpenAI from 'openai';
import type { ModelProvider, StreamChunk, TokenUsage } from './model-provider';
import { BilledFailure, completionFailure, fromSdkError } from './provider-error';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';
import { receivedUsage } from '../token-estimate';

export interface OpenAIProviderOptions {
  /** `openai`, or the registry name of an OpenAI-compatible server (`selfhosted`). */
  name: string;
  apiKey: string;
  baseURL?: string;
}

const chatMessages = (system: string, user: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: 'system', content: system },
  { role: 'user', content: user },
];

/**
 * The usage the reply reported, or null where it reported none: an OpenAI-compatible server may send no
 * `usage` (or `usage: null`), and a stream from one that ignores stream_options.include_usage ends without it.
 * Null, never zeros: the caller estimates what was billed rather than charge the call nothing.
 */
const usageOf = (
  usage: { prompt_tokens?: number | null; completion_tokens?: number | null } | null | undefined,
): Omit<TokenUsage, 'responseModel'> | null =>
  typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number'
    ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens }
    : null;

export function createOpenAIProvider(options: OpenAIProviderOptions): ModelProvider {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, ...SDK_CLIENT_OPTIONS });

  const isApiError = (error: unknown) => error instanceof OpenAI.APIError;
  const translate = (error: unknown, signal: AbortSignal) =>
    fromSdkError(error, isApiError, options.name, signal);

  return {
    name: options.name,

    async complete({ model, system, user, maxTokens, signal }) {
      try {
        const response = await client.chat.completions.create(
          {
            model,
            max_tokens: maxTokens,
            messages: chatMessages(system, user),
          },
          { signal },
        );
        const message = response.choices[0]?.message;
        const text = message?.content;
        // Billed whatever it says: the reply's own usage, else its prompt and text estimated.
        const usage = {
          ...(usageOf(response.usage) ?? receivedUsage({ system, user }, text ?? message?.refusal ?? '')),
          responseModel: response.model,
        };
        if (typeof text !== 'string' || text.trim() === '') {
          const what = message?.refusal ? 'a refusal' : 'no text';
          throw new BilledFailure(`${options.name} answered with ${what}`, usage);
        }
        return { text, usage };
      } catch (error) {
        throw completionFailure(translate(error, signal), { system, user });
      }
    },

    async *stream({ model, system, user, maxTokens, signal }): AsyncIterable<StreamChunk> {
      try {
        const stream = await client.chat.completions.create(
          {
            model,
            max_tokens: maxTokens,
            stream: true,
            stream_options: { include_usage: true },
            messages: chatMessages(system, user),
          },
          { signal },
        );
        for await (const chunk of stream) {
          const text = chunk.choices[0]?.delta?.content;
          if (text) yield { type: 'delta', text };
          // A stream that ends with none is estimated by the attempt (stream-attempt.ts).
          const usage = usageOf(chunk.usage);
          if (usage) yield { type: 'usage', usage: { ...usage, responseModel: chunk.model } };
        }
      } catch (error) {
        throw translate(error, signal);
      }
    },

    async embed({ model, input, signal }) {
      try {
        const response = await client.embeddings.create({ model, input }, { signal });
        return {
          vectors: [...response.data].sort((a, b) => a.index - b.index).map((item) => item.embedding),
          usage: {
            inputTokens: response.usage?.prompt_tokens ?? 0,
            outputTokens: 0,
            responseModel: response.model,
          },
        };
      } catch (error) {
        throw translate(error, signal);
      }
    },
  };
}
