/**
 * Calculated query cost, an approximation of Shopify's
 * (shopify.dev/docs/api/usage/limits#cost-calculation):
 * - a scalar or enum field costs 0;
 * - an object field costs 1, plus its selections; a list of objects costs that per object (`first`, or 1,
 *   for the requested cost; the objects returned for the actual cost);
 * - a connection costs 2, plus its `edges { node }` or `nodes` selections times `first`/`last` (the nodes
 *   returned for the actual cost); `pageInfo` and the edge objects themselves are free;
 * - a mutation costs 10, whatever it selects.
 * The requested cost is computed from the query before it runs; the actual cost is counted while it runs.
 */
import {
  getArgumentValues,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const MUTATION_COST = 10;

const isConnection = (type: GraphQLNamedType) => type.name.endsWith('Connection');
const isFree = (type: GraphQLNamedType) => type.name === 'PageInfo' || type.name.endsWith('Edge');

type Walk = {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
};

/**
 * The fields of a selection set with its fragments expanded. Every fragment is taken, whatever its type
 * condition: an upper bound for cost, and exact on the simulator's concrete types.
 */
export function selectedFields(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === 'Field') fields.push(selection);
    else if (selection.kind === 'InlineFragment')
      fields.push(...selectedFields(selection.selectionSet, fragments));
    else {
      const fragment = fragments[selection.name.value];
      if (fragment) fields.push(...selectedFields(fragment.selectionSet, fragments));
    }
  }
  return fields;
}

function fieldsOf(selectionSet: SelectionSetNode, walk: Walk): FieldNode[] {
  return selectedFields(selectionSet, walk.fragments);
}

function fieldDefinition(
  type: GraphQLNamedType,
  name: string,
  walk: Walk,
): GraphQLField<unknown, unknown> | null {
  if (!('getFields' in type)) {
    // A union: look the field up on its first member (the simulator's one union has one member).
    const member = walk.schema.getPossibleTypes(type as never)[0];
    return member ? (member.getFields()[name] ?? null) : null;
  }
  return (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] ?? null;
}

function selectionCost(
  selectionSet: SelectionSetNode | undefined,
  type: GraphQLNamedType,
  walk: Walk,
): number {
  if (!selectionSet) return 0;
  let cost = 0;
  for (const field of fieldsOf(selectionSet, walk)) {
    const definition = fieldDefinition(type, field.name.value, walk);
    if (!definition) continue;
    const named = getNamedType(definition.type);
    if (isLeafType(named) || isFree(named)) continue;
    const args = getArgumentValues(definition, field, walk.variables) as { first?: number; last?: number };
    const inner = selectionCost(field.selectionSet, named, walk);
    if (isConnection(named)) {
      cost += 2 + (args.first ?? args.last ?? 0) * connectionItemCost(field.selectionSet, named, walk);
    } else if (isList(definition.type)) {
      cost += (args.first ?? 1) * (1 + inner);
    } else cost += 1 + inner;
  }
  return cost;
}

/** The cost of one item of a connection: its `edges { node }` and its `nodes` selections. */
function connectionItemCost(
  selectionSet: SelectionSetNode | undefined,
  type: GraphQLNamedType,
  walk: Walk,
): number {
  if (!selectionSet || !isObjectType(type)) return 0;
  let cost = 0;
  for (const field of fieldsOf(selectionSet, walk)) {
    const definition = type.getFields()[field.name.value];
    if (!definition) continue;
    const named = getNamedType(definition.type);
    if (field.name.value === 'edges') cost += selectionCost(field.selectionSet, named, walk);
    if (field.name.value === 'nodes') cost += 1 + selectionCost(field.selectionSet, named, walk);
  }
  return cost;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** The requested cost of `operation` with `variables` (coerced), before it runs. */
export function requestedCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (operation.operation === 'mutation') {
    return MUTATION_COST * operation.selectionSet.selections.length;
  }
  const root = schema.getQueryType();
  return root ? selectionCost(operation.selectionSet, root, { schema, fragments, variables }) : 0;
}

/** What a resolved field adds to the actual cost: see the module comment. */
export function resolvedCost(returnType: GraphQLOutputType, value: unknown): number {
  const named = getNamedType(returnType);
  if (value === null || value === undefined || isLeafType(named) || isFree(named)) return 0;
  if (isConnection(named)) return 2;
  return Array.isArray(value) ? value.filter((item) => item !== null && item !== undefined).length : 1;
}
