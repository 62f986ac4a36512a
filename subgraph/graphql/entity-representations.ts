// The `_entities` field as a router calls it: a list of representations, each an entity whose AI fields are
// work of this subgraph. A router sends one `_entities` fetch for a whole list of entities and cannot split it,
// and every item it gets back null takes the owner subgraph's fields of that entity with it (`aiSummary` is
// non-null). So nothing here fails the field as a whole; each representation gets its own answer:
// - one representation, one outcome: @apollo/subgraph throws for the whole list on one unknown `__typename`
//   (the other entities lost, and a plain Error masked as internal). Here each representation is resolved
//   on its own, and a bad one is its own null item (`_Entity` items are nullable) with a BAD_USER_INPUT error
//   at its index naming `representations[i]`; the others resolve.
// - what a long list costs: the AI work is bounded per operation, not per list (operation-budget.ts): past
//   MAX_AI_FIELDS_PER_OPERATION an entity's AI fields are RATE_LIMITED, without a model call or a document
//   read. What is left per entity is executing it (a few tens of µs and a few KB of heap each, most of it
//   graphql-js's), and a list variable carries ~35 bytes a representation, so a 2 MB body holds ~57,000 (5 s
//   of CPU and ~400 MB of heap measured under jest). MAX_ENTITY_REPRESENTATIONS is the hard ceiling on that:
//   the representations before it resolve as above, and those from it on are null items, not resolved or
//   checked at all, under one BAD_USER_INPUT error at the first of them. One error, not one per item: an error
//   costs as much as the entity it replaces (a stack trace, a located copy, a formatted one), so a list of
//   100,000 costs the ceiling's worth of work and one error, whatever its length.
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
    const resolved: unknown[] = representations
      .slice(0, maxRepresentations)
      .map(async (representation, index) => {
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
    const past = representations.length - maxRepresentations;
    if (past <= 0) return resolved;
    // graphql-js answers an Error item as that item's error (its null), and a null item as null.
    const ceiling = new InputError(
      `representations[${maxRepresentations}]`,
      `at most ${maxRepresentations} representations per _entities field are resolved ` +
        `(MAX_ENTITY_REPRESENTATIONS); this one and the ${past - 1} after it are null, got ${representations.length}`,
    );
    return [...resolved, ceiling, ...new Array<null>(past - 1).fill(null)];
  };
}
