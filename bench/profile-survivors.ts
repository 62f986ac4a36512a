// What outlives a scavenge while the subgraph runs background jobs: bench:jobs's setup (fake provider at 50 ms,
// JOB_CONCURRENCY 8) on PGlite, V8's sampling heap profiler on while `starts` startSummaryJob calls run one after
// another and the runner works through them, keeping only objects no young-generation collection took. Those are
// what each scavenge copies and promotes, and so what sets its pause. Prints bytes per job by the allocating
// function and by package. Not a section of BENCHMARKS.md: a tool to find what lives longer than it should.
//
//   npx tsx bench/profile-survivors.ts [starts=600] [out.heapprofile] [--all]   (--all: garbage included)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildGroup } from './support/child-process';
import { allCompleted, jobsSubgraphEnv, startJob } from './support/jobs-run';
import { benchHeaders, SERVERS, subgraphEnv } from './support/subgraph';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

async function main(): Promise<void> {
  const all = process.argv.includes('--all');
  const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const starts = Number(positional[0] ?? 600);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-survivors-'));
  const out = positional[1] ?? path.join(dir, 'jobs.heapprofile');
  const children = new ChildGroup();
  const headers = await benchHeaders();
  try {
    const providers = await children.start(SERVERS.providers, {
      NODE_ENV: 'production',
      BENCH_PROVIDER_LATENCY_MS: '50',
    });
    const subgraph = await children.start(SERVERS.subgraph, subgraphEnv(jobsSubgraphEnv(providers, 8)));
    const url = String(subgraph.ready.url);
    let n = 0;
    await allCompleted(
      url,
      headers,
      await Promise.all(Array.from({ length: 16 }, () => startJob(url, headers, n++))),
    );
    await subgraph.call('allocationStart', { survivorsOnly: !all });
    const ids: string[] = [];
    for (let i = 0; i < starts; i += 1) ids.push(await startJob(url, headers, n++));
    await allCompleted(url, headers, ids);
    await subgraph.call('allocationStop', out);
    report(JSON.parse(readFileSync(out, 'utf8')) as { head: ProfileNode }, starts, all);
  } finally {
    await children.stopAll();
    if (!positional[1]) rmSync(dir, { recursive: true, force: true });
  }
}

function report(profile: { head: ProfileNode }, jobs: number, all: boolean): void {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  const visit = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
      byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + node.selfSize);
    }
    node.children.forEach(visit);
  };
  visit(profile.head);
  const kb = (bytes: number) => (bytes / jobs / 1024).toFixed(1).padStart(7);
  console.log(`${all ? 'allocated' : 'outlived a scavenge'}: ${kb(total)} KB per job (${jobs} jobs)`);
  for (const [title, map] of [
    ['by package', byPackage],
    ['by function', byFunction],
  ] as const) {
    console.log(`\n${title}:`);
    for (const [name, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, 30))
      console.log(`${kb(bytes)} KB  ${((bytes / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}

const shortUrl = (url: string) =>
  url.replace(/^.*\/(node_modules\/)/, '$1').replace(/^.*\/(subgraph\/)/, '$1');

function packageOf(url: string): string {
  if (!url) return '(native or V8)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return url;
  const own = /\/(subgraph\/[^/]+)/.exec(url);
  return own ? own[1]! : url;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
