// The soak's section of BENCHMARKS.md: the subgraph's RSS and heap over the run, its growth over the last two
// thirds against the target, and what every operation answered.
import { fixed, machineLine, markdownTable, met, noisyMachineNote } from '../support/report';
import { OPERATIONS } from './mix';
import type { Tally } from './mix';

export interface MemorySample {
  atS: number;
  rss: number;
  heapUsed: number;
  /** What V8 has reserved for the JS heap: RSS minus this is memory outside it (native, buffers, code). */
  heapTotal: number;
}

export interface SoakReport {
  started: Date;
  command: string;
  label: string;
  settings: { durationS: number; clients: number; tenants: number; sampleS: number; store: string };
  samples: MemorySample[];
  tally: Tally;
}

const MB = 1024 * 1024;
/** A replica's memory plateaus: at most this growth over the last two thirds, and a peak under 1 GB. */
export const TARGET_GROWTH_MB = 60;
export const TARGET_PEAK_MB = 1024;

export function soakFigures(samples: MemorySample[], durationS: number) {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) throw new Error('no memory samples');
  const third = samples.find((sample) => sample.atS >= durationS / 3) ?? last;
  const rest = samples.filter((sample) => sample.atS >= third.atS);
  const peak = Math.max(...samples.map((sample) => sample.rss));
  const growth = Math.max(...rest.map((sample) => sample.rss)) - third.rss;
  // Which side grew: V8 enlarging its heap after a burst of garbage, or memory outside the JS heap.
  const outside = (sample: MemorySample) => sample.rss - sample.heapTotal;
  const outsideGrowth = Math.max(...rest.map(outside)) - outside(third);
  return { start: first.rss, peak, end: last.rss, atThird: third, growth, outsideGrowth };
}

export function renderSoak(report: SoakReport): string {
  const { settings, samples, tally } = report;
  const figures = soakFigures(samples, settings.durationS);
  const mb = (bytes: number) => fixed(bytes / MB, 0);
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const requests = total(tally.ok) + total(tally.failed);
  const ok = figures.growth <= TARGET_GROWTH_MB * MB && figures.peak < TARGET_PEAK_MB * MB;
  const every = Math.max(1, Math.ceil(samples.length / 16));
  return [
    '## Soak: memory of one replica under a mixed load (`npm run bench:soak`)',
    '',
    `Run ${report.started.toISOString()}, \`${report.command}\`${report.label ? ` (${report.label})` : ''}. ` +
      `${machineLine()}.`,
    '',
    noisyMachineNote(),
    '',
    `${settings.clients} clients as ${settings.tenants} tenants for ${settings.durationS} s against one subgraph ` +
      `process (store: ${settings.store}; fake providers in another process), each looping over ask, summarize, ` +
      'search (half as distinct inline query strings, each a new document for Apollo to parse), ingest (the same ' +
      'ids replaced) and the two streams over graphql-ws, every input distinct. The RSS is sampled every ' +
      `${settings.sampleS} s. Target: at most ${TARGET_GROWTH_MB} MB growth over the last two thirds (from ` +
      `${fixed(figures.atThird.atS, 0)} s on), and under 1 GB: ${met(ok)}.`,
    '',
    markdownTable(
      ['RSS start MB', 'peak MB', 'end MB', 'growth over last two thirds MB', 'requests', 'failed'],
      [
        [
          mb(figures.start),
          mb(figures.peak),
          mb(figures.end),
          mb(figures.growth),
          requests,
          total(tally.failed),
        ],
      ],
      Array(6).fill('---:'),
    ),
    '',
    markdownTable(
      ['operation', 'answered', 'failed'],
      OPERATIONS.map((op) => [op, tally.ok[op], tally.failed[op]]),
      ['---', '---:', '---:'],
    ),
    ...(tally.samples.length > 0
      ? ['', 'First failures:', '', ...tally.samples.map((s) => `- \`${s}\``)]
      : []),
    '',
    `Of the growth over the last two thirds, memory outside the JS heap (RSS minus V8's heap total) grew ` +
      `${mb(figures.outsideGrowth)} MB; the rest is V8 enlarging its heap. The heap in use at its lows says ` +
      'whether live objects grow (a leak) or only garbage between collections.',
    '',
    'RSS and JS heap over the run:',
    '',
    markdownTable(
      ['s', 'RSS MB', 'heap total MB', 'heap used MB'],
      samples
        .filter((_, index) => index % every === 0 || index === samples.length - 1)
        .map((sample) => [fixed(sample.atS, 0), mb(sample.rss), mb(sample.heapTotal), mb(sample.heapUsed)]),
      ['---:', '---:', '---:', '---:'],
    ),
  ].join('\n');
}
