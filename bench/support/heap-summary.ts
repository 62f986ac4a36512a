// Where a heap snapshot's bytes are: self size and count by constructor (V8's node name for objects and
// closures, the node type for strings, arrays, code and the rest), and the difference between two snapshots
// of one process, per unit of what changed between them (per open stream, for the streams benchmark). Self
// sizes, not retained: they add up, so the difference of two snapshots is what the extra objects cost. Also
// runs on its own: `npx tsx bench/support/heap-summary.ts <before.heapsnapshot> <after.heapsnapshot> [units]`.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  name: string;
  count: number;
  bytes: number;
}

/** Node types whose name is the constructor (or function name); other types group under the type itself. */
const NAMED_TYPES = new Set(['object', 'closure', 'native']);

/** Self bytes and count by group, for every node of the snapshot in `path`. */
export function heapByConstructor(path: string): Map<string, HeapGroup> {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] ?? 0] ?? 'unknown';
    const name = NAMED_TYPES.has(type)
      ? `${type === 'closure' ? 'closure ' : ''}${strings[nodes[i + nameAt] ?? 0] ?? '?'}`
      : `(${type})`;
    const group = groups.get(name) ?? { name, count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += nodes[i + sizeAt] ?? 0;
    groups.set(name, group);
  }
  return groups;
}

/** What `after` holds beyond `before`, per unit, largest first: the groups that account for the growth. */
export function heapGrowth(before: string, after: string, units: number, top = 25): HeapGroup[] {
  const was = heapByConstructor(before);
  const now = heapByConstructor(after);
  return [...now.values()]
    .map((group) => {
      const old = was.get(group.name);
      return {
        name: group.name,
        count: (group.count - (old?.count ?? 0)) / units,
        bytes: (group.bytes - (old?.bytes ?? 0)) / units,
      };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

if (require.main === module) {
  const [before, after, units] = process.argv.slice(2);
  if (!before || !after) throw new Error('usage: heap-summary.ts <before> <after> [units]');
  for (const group of heapGrowth(before, after, Number(units ?? '1'), 40))
    console.log(
      `${group.bytes.toFixed(0).padStart(8)} B  ${group.count.toFixed(2).padStart(7)}  ${group.name}`,
    );
}
