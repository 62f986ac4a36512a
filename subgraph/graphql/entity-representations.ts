// The `_entities` field as a router calls it: a list of representations, each an entity whose AI fields are
// work of this subgraph. Two guards around @apollo/subgraph's resolver:
// - a cap: a list variable carries any number of representations in a request of a few KB that no alias,
//   depth or cost rule sees, so past MAX_ENTITY_REPRESENTATIONS the field is BAD_USER_INPUT before any runs;
// - one representation, one outcome: @apollo/subgraph throws for the whole list on one unknown `__typename`
//   (the other entities lost, and a plain Error masked as internal). Here each representation is resolved
//   on its own, and a bad one is its own null item (`_Entity` items are nullable) with a BAD_USER_INPUT error
//   at its index naming `representations[i]`; the others resolve.
import { defaultFieldResolver } from 'graphql';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { InputError } from '../errors/input-error';
import { checkRepresentation, entityTypeNames } from './representation-check';

export function guardEntitiesField(schema: GraphQLSchema, maxRepresentations: number): void {
  const field = schema.getQueryType()?.getFields()._entities;
  // A subgraph without entity types has no `_entities` to guard.
  if (!field) return;
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  const entityTypes = entityTypeNames(schema);
  field.resolve = (source, args: { representations: readonly unknown[] }, ctx, info) => {
    const { representations } = args;
    if (representations.length > maxRepresentations) {
      throw new InputError(
        'representations',
        `at most ${maxRepresentations} representations per _entities field (MAX_ENTITY_REPRESENTATIONS), got ${representations.length}`,
      );
    }
    return representations.map(async (representation, index) => {
      try {
        checkRepresentation(representation, entityTypes);
        const [entity] = (await resolve(
          source,
          { representations: [representation] },
          ctx,
          info,
        )) as unknown[];
        return await entity;
      } catch (error) {
        // A representation's resolver names a bad field relative to it (`id`); only here is its index known.
        throw InputError.isInstance(error) ? error.within(`representations[${index}]`) : error;
      }
    });
  };
}
