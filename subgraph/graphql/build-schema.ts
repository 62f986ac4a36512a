// Builds the federation subgraph schema from schema/*.graphql and the resolvers, with access rules applied.
// The served SDL may leave out the security directives (for @apollo/gateway); the access rules never do.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../../resolvers';
import { applyAccessRules } from './access-rules';
import { servedSdlWithoutSecurityDirectives } from './sdl-without-security-directives';

export const SCHEMA_DIR = join(__dirname, '..', '..', 'schema');

export function readSchemaSdl(dir = SCHEMA_DIR): string {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
}

export interface SchemaOptions {
  /** Serve `_service { sdl }` without @authenticated/@requiresScopes, for @apollo/gateway; still enforced. */
  sdlWithoutSecurityDirectives?: boolean;
}

export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const typeDefs = parse(readSchemaSdl());
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
  applyAccessRules(schema);
  if (options.sdlWithoutSecurityDirectives) {
    const sdl = servedSdlWithoutSecurityDirectives(typeDefs);
    const service = schema.getQueryType()?.getFields()._service;
    if (!service) throw new Error('buildSubgraphSchema added no Query._service');
    service.resolve = () => ({ sdl });
  }
  return schema;
}
