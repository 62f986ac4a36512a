// The schema's ChunkFlagKind is the injection screen's list of categories: the same values in the same order,
// each described in the very words of CHUNK_FLAG_KIND_DESCRIPTIONS, so the contract and the screen cannot
// drift apart. IngestResult.flagged and ChunkFlag are described too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import type { EnumTypeDefinitionNode, ObjectTypeDefinitionNode } from 'graphql';
import {
  CHUNK_FLAG_KIND_DESCRIPTIONS,
  CHUNK_FLAG_KINDS,
} from '../../subgraph/guardrails/injection/chunk-flag-kind';

const schema = parse(readFileSync(join(__dirname, '..', '..', 'schema', 'ai.graphql'), 'utf8'));
const definition = <Node extends EnumTypeDefinitionNode | ObjectTypeDefinitionNode>(
  kind: Node['kind'],
  name: string,
): Node => {
  const found = schema.definitions.find(
    (candidate): candidate is Node => candidate.kind === kind && candidate.name.value === name,
  );
  if (!found) throw new Error(`schema/ai.graphql has no ${name}`);
  return found;
};

describe('ChunkFlagKind in schema/ai.graphql', () => {
  const enumType = definition<EnumTypeDefinitionNode>(Kind.ENUM_TYPE_DEFINITION, 'ChunkFlagKind');

  it('has the values of CHUNK_FLAG_KINDS, in order', () => {
    expect(enumType.values?.map((value) => value.name.value)).toEqual([...CHUNK_FLAG_KINDS]);
  });

  it('describes each value with the text of CHUNK_FLAG_KIND_DESCRIPTIONS', () => {
    expect(
      Object.fromEntries(enumType.values?.map((value) => [value.name.value, value.description?.value]) ?? []),
    ).toEqual(CHUNK_FLAG_KIND_DESCRIPTIONS);
    expect(enumType.description?.value).toEqual(expect.any(String));
  });

  it('is what IngestResult.flagged reports, through a described ChunkFlag', () => {
    const ingest = definition<ObjectTypeDefinitionNode>(Kind.OBJECT_TYPE_DEFINITION, 'IngestResult');
    const flagged = ingest.fields?.find((field) => field.name.value === 'flagged');
    expect(flagged?.description?.value).toMatch(/injection screen/);
    const chunkFlag = definition<ObjectTypeDefinitionNode>(Kind.OBJECT_TYPE_DEFINITION, 'ChunkFlag');
    expect(chunkFlag.description?.value).toEqual(expect.any(String));
    expect(chunkFlag.fields?.map((field) => [field.name.value, Boolean(field.description)])).toEqual([
      ['chunkId', true],
      ['kind', true],
      ['score', true],
    ]);
  });
});
