// Where a CPU profile's time went: self time by function, and inclusive time by package or source folder
// (a sample counts once for every package on its stack). Used on the subgraph's profile of one scenario;
// also runs on its own: `npx tsx bench/support/profile-summary.ts <file.cpuprofile>`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  /** Busy share by package or source folder, self time only (WebAssembly counted with its JS caller): sums to 100 %. */
  selfByArea: { area: string; ms: number; share: number }[];
  /** Busy share by package or source folder, inclusive of what it called. */
  inclusive: { area: string; ms: number; share: number }[];
  /** Busy share by function, self time only. */
  self: { fn: string; ms: number; share: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
const NOT_INCLUSIVE = new Set(['(root)', '(native)', 'node internals']);

/** The package (node_modules/<pkg>), our own folder (subgraph/<dir>), node internals, or a V8 bucket. */
export function areaOf(frame: ProfileNode['callFrame']): string {
  if (SPECIAL.has(frame.functionName) && frame.url === '') return frame.functionName;
  const url = frame.url;
  if (url === '') return '(native)';
  if (url.startsWith('node:internal/deps/undici')) return 'undici (node fetch)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second ?? ''}` : (first ?? url);
  }
  const ours = /\/(subgraph|resolvers|bench|test)\/(?:([^/]+)\/)?/.exec(url);
  if (ours) return ours[2] && !ours[2].includes('.') ? `${ours[1]}/${ours[2]}` : (ours[1] ?? url);
  return url;
}

export function summarizeProfile(path: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = totalHits > 0 ? wallMs / totalHits : 0;

  // WebAssembly frames belong to whichever package called into them (PGlite's Postgres, undici's llhttp).
  const areaCache = new Map<number, string>();
  const nodeArea = (id: number): string => {
    const known = areaCache.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    let area = node ? areaOf(node.callFrame) : '(unknown)';
    if (node?.callFrame.url.startsWith('wasm://')) area = up === undefined ? 'wasm' : nodeArea(up);
    areaCache.set(id, area);
    return area;
  };
  const areasOnStack = new Map<number, Set<string>>();
  const stackAreas = (id: number): Set<string> => {
    const known = areasOnStack.get(id);
    if (known) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const areas = new Set(up === undefined ? [] : stackAreas(up));
    if (node) areas.add(nodeArea(id));
    areasOnStack.set(id, areas);
    return areas;
  };

  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  let idleHits = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    if (node.callFrame.functionName === '(idle)') {
      idleHits += hits;
      continue;
    }
    for (const area of stackAreas(node.id)) {
      // Everything runs under node's own frames (timers, microtasks, sockets): inclusive shares of those say nothing.
      if (!NOT_INCLUSIVE.has(area)) inclusive.set(area, (inclusive.get(area) ?? 0) + hits);
    }
    const area = nodeArea(node.id);
    selfByArea.set(area, (selfByArea.get(area) ?? 0) + hits);
    const { functionName, url, lineNumber } = node.callFrame;
    const where =
      url === ''
        ? ''
        : ` ${url.replace(/^file:\/\/.*?\/(node_modules|subgraph|bench)\//, '$1/')}:${lineNumber + 1}`;
    const fn = `${functionName || '(anonymous)'}${where}`;
    self.set(fn, (self.get(fn) ?? 0) + hits);
  }
  const busyHits = totalHits - idleHits;
  const rank = <K extends string>(map: Map<string, number>, key: K) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({
        [key]: name,
        ms: hits * msPerHit,
        share: busyHits > 0 ? hits / busyHits : 0,
      }));
  return {
    wallMs,
    busyMs: busyHits * msPerHit,
    selfByArea: rank(selfByArea, 'area') as ProfileSummary['selfByArea'],
    inclusive: rank(inclusive, 'area') as ProfileSummary['inclusive'],
    self: rank(self, 'fn') as ProfileSummary['self'],
  };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile>');
  const summary = summarizeProfile(file, 30);
  console.log(`wall ${summary.wallMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms`);
  console.log('\nself by area:');
  for (const row of summary.selfByArea)
    console.log(`${(row.share * 100).toFixed(1).padStart(6)}%  ${row.area}`);
  console.log('\ninclusive by area:');
  for (const row of summary.inclusive)
    console.log(`${(row.share * 100).toFixed(1).padStart(6)}%  ${row.area}`);
  console.log('\nself by function:');
  for (const row of summary.self) console.log(`${(row.share * 100).toFixed(1).padStart(6)}%  ${row.fn}`);
}
