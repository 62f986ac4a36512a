// Markdown for the benchmark results, and the one place BENCHMARKS.md is edited: each benchmark owns the block
// between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` and replaces only that, so the other
// benchmarks' sections and the hand-written text around the blocks stay as they are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { cpuMsPerResponse } from './measure';
import type { Measured } from './measure';

export const BENCHMARKS_FILE = path.join(__dirname, '..', '..', 'BENCHMARKS.md');

/** A number with `digits` decimals, or – for NaN (which crosses the IPC channel as null) and missing values. */
export const fixed = (value: number | null | undefined, digits = 2): string =>
  value !== null && value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';
export const met = (ok: boolean): string => (ok ? '**met**' : '**missed**');

export function markdownTable(header: string[], rows: (string | number)[][], align?: string[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(align ?? header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One table layout for every load run of every benchmark. */
export function loadTable(rows: { name: string; measured: Measured }[]): string {
  const header = [
    'scenario',
    'conns',
    'responses',
    'unfinished',
    'req/s',
    'mean ms',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'in Node p50 / p99 / max ms',
    'failed',
    'server CPU ms / response',
    'cores: load gen / server / others / not ours',
  ];
  const align = header.map((_, index) => (index === 0 || index === header.length - 1 ? '---' : '---:'));
  return markdownTable(
    header,
    rows.map(({ name, measured }) => {
      const { load, cpu, http } = measured;
      const others = Object.entries(cpu.processes)
        .filter(([process]) => process !== 'load' && process !== 'server')
        .reduce((sum, [, cores]) => sum + cores, 0);
      return [
        name,
        load.connections,
        load.responses,
        load.unfinished,
        fixed(load.rps, 0),
        fixed(load.meanMs),
        fixed(load.p50Ms),
        fixed(load.p90Ms),
        fixed(load.p99Ms),
        fixed(load.maxMs),
        http ? `${fixed(http.p50Ms)} / ${fixed(http.p99Ms)} / ${fixed(http.maxMs)}` : '–',
        load.non2xx + load.errors + load.mismatches,
        fixed(cpuMsPerResponse(measured), 3),
        [cpu.processes.load, cpu.processes.server, others, cpu.other]
          .map((value) => fixed(value))
          .join(' / '),
      ];
    }),
    align,
  );
}

/** The machine and its load, for the head of a section: the figures only compare within one run. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return (
    `${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
    `Node ${process.version}, ${os.type()} ${os.release()}; load average at the end ${load}`
  );
}

/** What every section says about the figures' worth. */
export function noisyMachineNote(): string {
  const busy = (os.loadavg()[0] ?? 0) >= 0.5;
  return busy
    ? `**Measured on a loaded machine** (1-min load average ${fixed(os.loadavg()[0])} on ` +
        `${os.availableParallelism()} CPUs at the end; other work shared the cores): compare rows of this run ` +
        'with each other, and re-run on an idle machine before quoting absolute figures.'
    : 'The machine was otherwise idle at the end of the run (1-min load average below 0.5).';
}

const markers = (name: string) => ({
  start: `<!-- bench:${name}:start (written by npm run bench:${name}; edits inside are overwritten) -->`,
  startPrefix: `<!-- bench:${name}:start`,
  end: `<!-- bench:${name}:end -->`,
});

/**
 * Replaces benchmark `name`'s block in BENCHMARKS.md with `markdown` (formatted as `prettier` would), or
 * appends the block at the end of the file when it has none yet.
 */
export async function writeSection(name: string, markdown: string, file = BENCHMARKS_FILE): Promise<void> {
  const formatted = await format(markdown, { ...(await resolveConfig(file)), parser: 'markdown' });
  const { start, startPrefix, end } = markers(name);
  const block = `${start}\n\n${formatted.trim()}\n\n${end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(startPrefix);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}
