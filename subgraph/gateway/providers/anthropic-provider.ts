// Anthropic's Messages API through the official SDK. Anthropic has no embeddings endpoint.
import Anthropic from '@anthropic-ai/sdk';
import type { ModelProvider, StreamChunk } from './model-provider';
import { BilledFailure, completionFailure, fromSdkError } from './provider-error';
import { SDK_CLIENT_OPTIONS } from './sdk-client-options';

export function createAnthropicProvider(options: { apiKey: string; baseURL?: string }): ModelProvider {
  const client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, ...SDK_CLIENT_OPTIONS });

  const isApiError = (error: unknown) => error instanceof Anthropic.APIError;
  const translate = (error: unknown, signal: AbortSignal) =>
    fromSdkError(error, isApiError, 'anthropic', signal);

  return {
    name: 'anthropic',

    async complete({ model, system, user, maxTokens, signal }) {
      try {
        const message = await client.messages.create(
          { model, max_tokens: maxTokens, system, messages: [{ role: 'user', content: user }] },
          { signal },
        );
        const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
        const usage = {
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
          responseModel: message.model,
        };
        // Billed all the same: the attempt charges what it reported though it is retried.
        if (text.trim() === '') throw new BilledFailure('anthropic answered with no text', usage);
        return { text, usage };
      } catch (error) {
        throw completionFailure(translate(error, signal), { system, user });
      }
    },

    async *stream({ model, system, user, maxTokens, signal }): AsyncIterable<StreamChunk> {
      try {
        const stream = await client.messages.create(
          { model, max_tokens: maxTokens, system, messages: [{ role: 'user', content: user }], stream: true },
          { signal },
        );
        // message_start names the model and the input tokens; message_delta, near the end, the output tokens.
        // The input tokens go on at once: a stream cut or left before message_delta was billed its prompt.
        let inputTokens = 0;
        let responseModel: string | undefined;
        for await (const event of stream) {
          if (event.type === 'message_start') {
            inputTokens = event.message.usage.input_tokens;
            responseModel = event.message.model;
            yield { type: 'input', inputTokens };
          }
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
            yield { type: 'delta', text: event.delta.text };
          }
          if (event.type === 'message_delta') {
            const usage = { inputTokens, outputTokens: event.usage.output_tokens };
            yield { type: 'usage', usage: responseModel ? { ...usage, responseModel } : usage };
          }
        }
      } catch (error) {
        throw translate(error, signal);
      }
    },
  };
}
