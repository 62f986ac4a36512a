// PII redactor benchmark (issue 10, point 5): per kind recall and precision of subgraph/guardrails/pii on the
// presidio-research synthetic dev set and on generated cases, and the redactor's time per input.
//
//   npm run bench:pii [-- --dry-run]
//
// A labelled value is caught when one detection of its kind covers it whole; a detection is right when it
// overlaps a labelled value of its kind (bench/pii/score.ts). Results go to the `bench:pii` block at the end
// of BENCHMARKS.md (not with --dry-run).
import { PII_KINDS } from '../subgraph/guardrails/pii';
import type { PiiKind } from '../subgraph/guardrails/pii';
import { generateCases } from './pii/generated';
import { loadPresidioDevSet } from './pii/presidio';
import { scoreSentences } from './pii/score';
import type { KindScore } from './pii/score';
import { timeRedactor } from './pii/timing';
import { fixed, machineLine, markdownTable, met } from './support/report';
import { runBenchmark } from './support/run-benchmark';

const OPTIONS = {
  'per-kind': { default: 200, help: 'generated sentences per kind' },
  'near-misses': { default: 1000, help: 'generated sentences with look-alikes that must stay untouched' },
};

// The targets: recall for these kinds, precision for every kind.
const RECALL_TARGETS: ReadonlySet<PiiKind> = new Set(['EMAIL', 'CARD', 'IBAN', 'PHONE', 'IP']);
const RECALL_TARGET = 0.95;
const PRECISION_TARGET = 0.9;
const P50_BUDGET_MS = 2;

const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : Number.NaN);

function scoreTable(scores: Map<PiiKind, KindScore>): { table: string; verdicts: boolean[] } {
  const verdicts: boolean[] = [];
  const rows = PII_KINDS.map((kind) => {
    const score = scores.get(kind) as KindScore;
    const recall = ratio(score.caught, score.labelled);
    const precision = ratio(score.correct, score.detected);
    const recallVerdict =
      RECALL_TARGETS.has(kind) && score.labelled > 0
        ? (verdicts.push(recall >= RECALL_TARGET), met(recall >= RECALL_TARGET))
        : '–';
    const precisionVerdict =
      score.detected > 0
        ? (verdicts.push(precision >= PRECISION_TARGET), met(precision >= PRECISION_TARGET))
        : '–';
    return [
      kind,
      score.labelled,
      score.caught,
      fixed(recall, 3),
      recallVerdict,
      score.detected,
      score.correct,
      fixed(precision, 3),
      precisionVerdict,
    ];
  });
  const header = [
    'kind',
    'labelled',
    'caught',
    'recall',
    `≥ ${RECALL_TARGET}`,
    'detected',
    'right',
    'precision',
    `≥ ${PRECISION_TARGET}`,
  ];
  return {
    table: markdownTable(
      header,
      rows,
      header.map((_, i) => (i === 0 || i === 4 || i === 8 ? '---' : '---:')),
    ),
    verdicts,
  };
}

function examples(scores: Map<PiiKind, KindScore>): string {
  const lines = [...scores.values()].flatMap((score) => [
    ...score.misses.slice(0, 5).map((miss) => `- ${score.kind} missed: ${miss}`),
    ...score.falseDetections.slice(0, 5).map((wrong) => `- ${score.kind} wrongly detected: ${wrong}`),
  ]);
  return lines.length > 0 ? lines.join('\n') : '- none';
}

runBenchmark('pii', OPTIONS, async ({ options, command, started }) => {
  const dev = loadPresidioDevSet();
  const generated = generateCases(options['per-kind'], options['near-misses']);
  const devScores = scoreSentences(dev);
  const generatedScores = scoreSentences([...generated.positives, ...generated.nearMisses]);
  const timing = timeRedactor(dev.map((sentence) => sentence.text));
  const dev_ = scoreTable(devScores);
  const gen = scoreTable(generatedScores);
  const timeRows = [
    [
      'one dev-set sentence',
      timing.sentence.inputs,
      fixed(timing.sentence.meanChars, 0),
      fixed(timing.sentence.p50Ms, 3),
      fixed(timing.sentence.p99Ms, 3),
      '–',
    ],
    [
      'an ask: question + 5 chunks of ~1,000 chars, one context',
      timing.ask.inputs,
      fixed(timing.ask.meanChars, 0),
      fixed(timing.ask.p50Ms, 3),
      fixed(timing.ask.p99Ms, 3),
      met(timing.ask.p50Ms <= P50_BUDGET_MS),
    ],
  ];
  return [
    '## Guardrails: PII redactor (issue 10)',
    '',
    `Run ${started.toISOString()} with \`${command}\`; ${machineLine()}.`,
    '',
    'The redactor of `subgraph/guardrails/pii` (what `redact` replaces). A labelled value counts as caught when one detection of its kind covers it whole; a detection is right when it overlaps a labelled value of its own kind (a phone number found inside a street address counts against phone precision).',
    '',
    '### Dev set: presidio-research synthetic sentences',
    '',
    `\`shared/data/dev/pii-presidio-research/synth_dataset_v2.dev.json\`: ${dev.length} sentences. Its labels mapped to kinds: EMAIL_ADDRESS → EMAIL, PHONE_NUMBER → PHONE, CREDIT_CARD → CARD, IBAN_CODE → IBAN, IP_ADDRESS → IP, US_SSN → NATIONAL_ID; its other types (names, addresses, dates, driver licences…) are not looked for, and a detection on them counts as wrong.`,
    '',
    dev_.table,
    '',
    'Misses and wrong detections (first five per kind):',
    '',
    examples(devScores),
    '',
    '### Generated cases',
    '',
    `\`bench/pii/generated.ts\` (seeded): ${options['per-kind']} sentences per kind, each with one value built from its format's rules (card brands and layouts with Luhn, IBANs of 16 countries with mod-97, IPv4 and IPv6 forms, international phone plans, provider key formats and JWTs, US SSN, UK NINO, Spanish DNI), and ${options['near-misses']} sentences of look-alikes that must stay untouched (failed Luhn or mod-97, dates, versions, amounts, invoice and ticket numbers, OIDs, invalid SSNs, identifiers, part numbers). The generator and the detectors were written by the same hand from the same format rules, so these rows check the rules are implemented as meant, not that they are the right rules.`,
    '',
    gen.table,
    '',
    'Misses and wrong detections (first five per kind):',
    '',
    examples(generatedScores),
    '',
    '### Time',
    '',
    'Wall time of `redact` per input, measured in process over 5 passes after 2 warm-up passes.',
    '',
    markdownTable(
      [
        'input',
        'inputs',
        'mean chars',
        'p50 ms',
        'p99 ms',
        `p50 ≤ ${P50_BUDGET_MS} ms (the budget of all rails together)`,
      ],
      timeRows,
      ['---', '---:', '---:', '---:', '---:', '---'],
    ),
    '',
    'Notes. The dev set was read while the rules were written, and two rules changed after its errors: 12-digit numbers count as cards in all of Maestro’s ranges (50, 56–69), not only its UK ones, and words that also name places or other numbers (office, home, desk; “number”) count as phone context only as labels. Both follow a published rule, not the items, but the dev figures are therefore optimistic; the held-out set is the real test. Phone recall outside this set depends on the telephony words: a short national number (7–9 digits) with no such word nearby is left alone on purpose. The ask row’s p99 moves with garbage collection and the shared machine’s load; its p50 is the figure for the budget.',
    '',
    `Targets: ${[...dev_.verdicts, ...gen.verdicts].every(Boolean) ? 'every recall and precision target above is met' : 'some targets are missed (rows marked **missed**)'}.`,
  ].join('\n');
});
