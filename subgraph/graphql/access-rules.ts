// Enforces @authenticated and @requiresScopes here, in the subgraph, rather than trusting a router to.
// Each guarded field's resolver is wrapped once at start-up; the rules are read from the schema itself.
import { defaultFieldResolver, isNonNullType, isObjectType, Kind } from 'graphql';
import type { ConstDirectiveNode, GraphQLField, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { forbiddenError, unauthenticatedError } from '../errors/graphql-errors';
import type { Refusal } from '../errors/graphql-errors';
import type { TenantContext } from '../auth/tenant-context';

export interface AccessRule {
  authenticated: boolean;
  /** Disjunction of conjunctions, as @requiresScopes defines it: any inner list fully held passes. */
  scopes: string[][] | null;
}

function ruleOf(directives: readonly ConstDirectiveNode[]): AccessRule | null {
  let authenticated = false;
  let scopes: string[][] | null = null;
  for (const directive of directives) {
    if (directive.name.value === 'authenticated') authenticated = true;
    if (directive.name.value === 'requiresScopes') {
      const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
      if (arg?.value.kind === Kind.LIST) {
        scopes = arg.value.values.map((inner) =>
          inner.kind === Kind.LIST
            ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []))
            : [],
        );
      }
    }
  }
  return authenticated || scopes ? { authenticated: authenticated || scopes !== null, scopes } : null;
}

export function holdsScopes(tenant: TenantContext, scopes: string[][]): boolean {
  return scopes.some((all) => all.every((scope) => tenant.scopes.has(scope)));
}

/**
 * A refused field is null with an error. Its null leaves `data` null only when it is a non-null root field
 * (`usage`, `ingestDocument`): then the reply carries nothing and may say 401/403 over HTTP; anywhere else
 * (`cancelAIJob`, a field under `_entities`) the rest of `data` is served, and the reply must stay 200.
 */
function refusalAt(info: GraphQLResolveInfo): Refusal {
  return { nullsData: info.path.prev === undefined && isNonNullType(info.returnType) };
}

export function applyAccessRules(schema: GraphQLSchema): Map<string, AccessRule> {
  const rules = new Map<string, AccessRule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRule = ruleOf(type.astNode?.directives ?? []);
    for (const field of Object.values(type.getFields()) as GraphQLField<
      unknown,
      { tenant: TenantContext | null }
    >[]) {
      const rule = ruleOf(field.astNode?.directives ?? []) ?? typeRule;
      if (!rule) continue;
      rules.set(`${type.name}.${field.name}`, rule);
      const coordinate = `${type.name}.${field.name}`;
      const guard = (ctx: { tenant: TenantContext | null }, info: GraphQLResolveInfo) => {
        if (!ctx.tenant) throw unauthenticatedError(refusalAt(info));
        if (rule.scopes && !holdsScopes(ctx.tenant, rule.scopes))
          throw forbiddenError(coordinate, refusalAt(info));
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        guard(ctx, info);
        return resolve(source, args, ctx, info);
      };
      if (field.subscribe) {
        const subscribe = field.subscribe;
        field.subscribe = (source, args, ctx, info) => {
          guard(ctx, info);
          return subscribe(source, args, ctx, info);
        };
      }
    }
  }
  return rules;
}
