// OpenAI, and any OpenAI-compatible self-hosted server (vLLM, Ollama, llama.cpp), through the official SDK.
import OpenAI from 'openai';
import type { ModelProvider, StreamChunk } from './model-provider';
import { fromSdkError, fromTransportError } from './provider-error';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

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

const usageOf = (usage: { prompt_tokens: number; completion_tokens: number } | null | undefined) => ({
  inputTokens: usage?.prompt_tokens ?? 0,
  outputTokens: usage?.completion_tokens ?? 0,
});

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
        const text = response.choices[0]?.message?.content;
        if (typeof text !== 'string' || text.trim() === '')
          throw fromTransportError(new SyntaxError('no content'), signal);
        return {
          text,
          usage: { ...usageOf(response.usage), responseModel: response.model },
        };
      } catch (error) {
        throw translate(error, signal);
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
          if (chunk.usage)
            yield { type: 'usage', usage: { ...usageOf(chunk.usage), responseModel: chunk.model } };
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
