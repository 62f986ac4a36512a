// Bounds on what one operation may ask for (depth and estimated cost), from graphql-armor's rules.
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { ValidationRule } from 'graphql';

export function operationLimitRules(limits: { maxDepth: number; maxCost: number }): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true }),
  ] as ValidationRule[];
}
