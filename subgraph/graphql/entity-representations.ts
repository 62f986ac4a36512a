// Caps the representations one `_entities` field may carry. Each representation is an entity whose AI fields
// are work of this subgraph, and a list variable carries any number of them in a request of a few KB that
// no alias, depth or cost rule sees; past the cap the field is BAD_USER_INPUT before any entity is resolved.
import { defaultFieldResolver } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { InputError } from '../errors/input-error';

export function limitEntityRepresentations(schema: GraphQLSchema, max: number): void {
  const field = schema.getQueryType()?.getFields()._entities;
  // A subgraph without entity types has no `_entities` to cap.
  if (!field) return;
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args: { representations?: unknown }, ctx, info) => {
    const { representations } = args;
    if (Array.isArray(representations) && representations.length > max) {
      throw new InputError(
        'representations',
        `at most ${max} representations per _entities field (MAX_ENTITY_REPRESENTATIONS), got ${representations.length}`,
      );
    }
    return resolve(source, args, ctx, info);
  };
}
