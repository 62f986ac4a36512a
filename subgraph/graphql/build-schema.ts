// Builds the federation subgraph schema from schema/*.graphql and the resolvers, with access rules applied.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../../resolvers';
import { applyAccessRules } from './access-rules';

export const SCHEMA_DIR = join(__dirname, '..', '..', 'schema');

export function readSchemaSdl(dir = SCHEMA_DIR): string {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
}

export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSchemaSdl()),
    resolvers: resolvers as GraphQLResolverMap<unknown>,
  });
  applyAccessRules(schema);
  return schema;
}
