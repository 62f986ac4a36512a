// Bounds on what one operation may ask for (depth, aliases and estimated cost), from graphql-armor's rules.
// Aliases matter here beyond parsing cost: each aliased AI field is a model call.
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError } from 'graphql';
import type { ValidationContext, ValidationRule } from 'graphql';

// graphql-armor throws the rejection out of the visitor by default, which Apollo Server answers as a 500;
// reported on the validation context instead, it is a GRAPHQL_VALIDATION_FAILED error with HTTP 400.
const reportRejection = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

export function operationLimitRules(limits: {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
}): ValidationRule[] {
  return [
    maxAliasesRule({ n: limits.maxAliases, ...reportRejection }),
    maxDepthRule({
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      ...reportRejection,
    }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...reportRejection }),
  ] as ValidationRule[];
}

/**
 * Introspection refused on the graphql-ws path as Apollo Server refuses it over HTTP (it validates on its own):
 * one error per `__schema` or `__type`, with Apollo's validationErrorCode. Not graphql's
 * NoSchemaIntrospectionCustomRule, which reports again every field below them (`queryType`, `fields`, ...).
 */
export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name !== '__schema' && name !== '__type') return;
    context.reportError(
      new GraphQLError(`GraphQL introspection is disabled, but the operation selects "${name}"`, {
        nodes: node,
        extensions: { validationErrorCode: 'INTROSPECTION_DISABLED' },
      }),
    );
  },
});
