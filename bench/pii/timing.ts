// Time of the redactor per input: each sentence of the dev set alone, and a typical ask (a question and five
// ~1,000-character chunks through one redaction context). Warm-up passes first, so JIT tiers settle.
import { RedactionContext, redact } from '../../subgraph/guardrails/pii';
import { percentile } from '../support/load';

export interface Timing {
  inputs: number;
  meanChars: number;
  p50Ms: number;
  p99Ms: number;
}

function timeEach(inputs: readonly string[][], passes: number): Timing {
  const samples: number[] = [];
  for (let pass = 0; pass < passes + 2; pass += 1) {
    for (const input of inputs) {
      const started = process.hrtime.bigint();
      const context = new RedactionContext();
      for (const text of input) redact(text, context);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (pass >= 2) samples.push(elapsed);
    }
  }
  samples.sort((a, b) => a - b);
  const chars = inputs.reduce((sum, input) => sum + input.reduce((s, text) => s + text.length, 0), 0);
  return {
    inputs: inputs.length,
    meanChars: chars / inputs.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
  };
}

/** Sentences glued into chunks of about `size` characters, as ingest's chunks are. */
function chunksOf(sentences: readonly string[], size: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    current = current ? `${current}\n${sentence}` : sentence;
    if (current.length >= size) {
      chunks.push(current);
      current = '';
    }
  }
  return chunks;
}

export function timeRedactor(sentences: readonly string[], passes = 5): { sentence: Timing; ask: Timing } {
  const chunks = chunksOf(sentences, 1000);
  const asks = chunks.map((_, index) => [
    sentences[index % sentences.length] ?? '',
    ...Array.from({ length: 5 }, (_, offset) => chunks[(index + offset) % chunks.length] ?? ''),
  ]);
  return {
    sentence: timeEach(
      sentences.map((sentence) => [sentence]),
      passes,
    ),
    ask: timeEach(asks, passes),
  };
}
