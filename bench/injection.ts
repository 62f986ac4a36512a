// Injection screen benchmark (issue 10): precision, recall and false-positive rate of
// subgraph/guardrails/injection at its default threshold and a sweep around it, for questions on the deepset
// dev set and for documents on the hand-written fixtures (test/support/injection-documents.ts), plus the
// time per text.
//
//   npm run bench:injection [-- --repeats=20 --dry-run]
//
// Its results replace the `bench:injection` block of BENCHMARKS.md (not with --dry-run).
import { performance } from 'node:perf_hooks';
import { DEFAULT_INJECTION_THRESHOLD, screen } from '../subgraph/guardrails/injection/screen';
import type { ScreenContext } from '../subgraph/guardrails/injection/screen';
import { BENIGN_DOCUMENTS, MALICIOUS_DOCUMENTS } from '../test/support/injection-documents';
import { loadDeepset } from './injection/deepset';
import { quantile, ratesAt } from './injection/metrics';
import type { Labelled, Rates } from './injection/metrics';
import { fixed, machineLine, markdownTable, met } from './support/report';
import { runBenchmark } from './support/run-benchmark';

const OPTIONS = {
  repeats: { default: 20, help: 'screens of every text for the timing (after one warm-up pass)' },
};
const SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7];
const TARGETS: Record<ScreenContext, { recall: number; fpr: number }> = {
  question: { recall: 0.7, fpr: 0.1 },
  document: { recall: 0.6, fpr: 0.1 },
};

interface Evaluated {
  context: ScreenContext;
  items: Labelled[];
  scores: number[];
  microseconds: number[];
}

function evaluate(context: ScreenContext, items: Labelled[], repeats: number): Evaluated {
  const scores = items.map((item) => screen(item.text, { context }).score);
  const microseconds: number[] = [];
  for (let round = 0; round < repeats; round += 1) {
    for (const item of items) {
      const started = performance.now();
      screen(item.text, { context });
      microseconds.push((performance.now() - started) * 1000);
    }
  }
  return { context, items, scores, microseconds };
}

function sweepTable(evaluated: Evaluated): string {
  const rows = SWEEP.map((threshold) => ratesAt(evaluated.scores, evaluated.items, threshold)).map(
    (rates: Rates) => [
      rates.threshold === DEFAULT_INJECTION_THRESHOLD
        ? `**${fixed(rates.threshold, 1)}** (default)`
        : fixed(rates.threshold, 1),
      fixed(rates.precision, 3),
      fixed(rates.recall, 3),
      fixed(rates.falsePositiveRate, 3),
      `${rates.truePositives} / ${rates.positives}`,
      `${rates.falsePositives} / ${rates.negatives}`,
    ],
  );
  return markdownTable(
    ['threshold', 'precision', 'recall', 'false-positive rate', 'injections flagged', 'benign flagged'],
    rows,
    ['---', '---:', '---:', '---:', '---:', '---:'],
  );
}

function verdict(evaluated: Evaluated): string {
  const rates = ratesAt(evaluated.scores, evaluated.items, DEFAULT_INJECTION_THRESHOLD);
  const target = TARGETS[evaluated.context];
  const ok = rates.recall >= target.recall && rates.falsePositiveRate <= target.fpr;
  return (
    `Target (${evaluated.context}s): recall ≥ ${target.recall} at false-positive rate ≤ ${target.fpr}, ` +
    `at the default threshold ${DEFAULT_INJECTION_THRESHOLD}: recall ${fixed(rates.recall, 3)}, ` +
    `false-positive rate ${fixed(rates.falsePositiveRate, 3)}: ${met(ok)} on this dev material ` +
    '(acceptance is on held-out sets).'
  );
}

function timingRow(label: string, evaluated: Evaluated): (string | number)[] {
  const chars = evaluated.items.map((item) => item.text.length);
  return [
    label,
    evaluated.items.length,
    fixed(quantile(chars, 0.5), 0),
    fixed(quantile(evaluated.microseconds, 0.5), 1),
    fixed(quantile(evaluated.microseconds, 0.99), 1),
    fixed(Math.max(...evaluated.microseconds), 1),
  ];
}

runBenchmark('injection', OPTIONS, async ({ options, command }) => {
  const questions = evaluate('question', loadDeepset(), options.repeats);
  const documents = evaluate(
    'document',
    [
      ...MALICIOUS_DOCUMENTS.map(({ text }) => ({ text, injection: true })),
      ...BENIGN_DOCUMENTS.map(({ text }) => ({ text, injection: false })),
    ],
    options.repeats,
  );
  return [
    '## Guardrails: injection screen (issue 10)',
    '',
    `Run ${new Date().toISOString()} with \`${command}\`; ${machineLine()}.`,
    '',
    '`screen(text, { context })` from `subgraph/guardrails/injection/`: deterministic rules over a normalized copy ' +
      'of the text, hidden-character checks and decoded base64/hex payloads, combined as a noisy OR. A text is ' +
      `flagged at score ≥ ${DEFAULT_INJECTION_THRESHOLD}. The rules come from the categories of known ` +
      "injections; after each run the dev set's misses were read to find categories the screen lacked " +
      '(orders declared void, a forged "context", dictated output, interruptions; then overrides with short, ' +
      'passive or infinitive objects and in Spanish, French, Italian, Portuguese, Russian and Croatian, a task ' +
      'closed and a new one handed over, role-play frames, forged instruction labels, orders shouted in ' +
      'capitals), never to copy its phrases: the unit tests use sentences of their own.',
    '',
    '### Questions (direct injection): deepset dev set',
    '',
    `\`shared/data/dev/prompt-injection/deepset/train.jsonl\`, ${questions.items.length} texts ` +
      `(${questions.items.filter((item) => item.injection).length} injections), English and German, screened as questions.`,
    '',
    sweepTable(questions),
    '',
    verdict(questions),
    '',
    '### Documents (indirect injection): hand-written fixtures',
    '',
    `\`test/support/injection-documents.ts\`: ${MALICIOUS_DOCUMENTS.length} documents carrying instructions for a ` +
      `model, ${BENIGN_DOCUMENTS.length} benign documents that discuss instructions, passwords, prompts or attacks ` +
      'or carry invisible characters and blobs for honest reasons; screened as documents. Written by the author ' +
      'of the rules, so the figures are optimistic: the held-out sets decide.',
    '',
    sweepTable(documents),
    '',
    verdict(documents),
    '',
    '### Time per text',
    '',
    `Each text screened ${options.repeats} times after the scoring pass; microseconds per call.`,
    '',
    markdownTable(
      ['texts', 'count', 'median chars', 'p50 µs', 'p99 µs', 'max µs'],
      [timingRow('deepset questions', questions), timingRow('fixture documents', documents)],
      ['---', '---:', '---:', '---:', '---:', '---:'],
    ),
  ].join('\n');
});
