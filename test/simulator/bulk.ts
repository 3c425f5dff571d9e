/**
 * Bulk operations (shopify.dev/docs/api/usage/bulk-operations/queries): `bulkOperationRunQuery` checks the
 * query, answers CREATED, then runs it in the background a chunk of root objects at a time, writing JSONL to a
 * file: one line per object, objects of nested connections on their own lines after their parent with
 * `__parentId` (as in test/fixtures/shopify/bulk_query_products_variants.jsonl). When done the operation is
 * COMPLETED with `objectCount`, `fileSize` and a `url` the simulator serves, and `bulk_operations/finish` is
 * sent to subscribers. The file is streamed as it is written, so that a store of millions of orders is never
 * held in memory.
 *
 * Checks, as Shopify documents them: one top-level connection (orders, customers, products or
 * abandonedCheckouts), at most five connections, at most two levels of nested connections, one operation at a
 * time per shop. A parent of a nested connection needs its `id` for `__parentId`; the simulator selects it
 * when the query does not.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  getNamedType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { UserError } from './admin-resolvers.ts';
import { selectedFields } from './query-cost.ts';

export type BulkOperationState = {
  id: bigint;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED';
  errorCode: 'INTERNAL_SERVER_ERROR' | null;
  query: string;
  createdMs: number;
  completedMs: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
};

/** A page of root objects for one chunk; the root connection resolver sets `next`. */
export type BulkPage = { after: number; limit: number; next: number | null };

export type BulkOptions = {
  /** Root objects per chunk; default 250. */
  chunkSize?: number;
  /** Pause between chunks, in ms (lets tests see RUNNING); default 0, which still yields to other requests. */
  chunkDelayMs?: number;
};

export type BulkDependencies = {
  schema: GraphQLSchema;
  /** Folder of the result files (the simulator's temporary folder). */
  directory: string;
  nextId(): bigint;
  /** Where the simulator serves a result file, by its token. */
  urlFor(token: string): string;
  /** Runs the (checked) query for one page of root objects. */
  execute(document: DocumentNode, page: BulkPage): ExecutionResult;
  /** Called when an operation ends (completed, failed or canceled). */
  onFinish(operation: BulkOperationState): void;
  now(): number;
  options?: BulkOptions;
};

const ROOT_CONNECTIONS = new Set(['orders', 'customers', 'products', 'abandonedCheckouts', 'inventoryItems']);
const MAX_CONNECTIONS = 5;
const MAX_NESTED_LEVELS = 2;

const isConnection = (type: GraphQLNamedType) => type.name.endsWith('Connection');

type Shape = { rootKey: string; nodeSelection: SelectionSetNode; nodeType: GraphQLObjectType };

/** One shop's bulk operations. */
export class BulkOperations {
  readonly #deps: BulkDependencies;
  readonly #operations: BulkOperationState[] = [];
  readonly #files = new Map<string, string>();
  readonly #cancel = new Set<bigint>();
  readonly #running = new Set<Promise<void>>();

  constructor(deps: BulkDependencies) {
    this.#deps = deps;
  }

  /** Checks `query` and starts it; the operation is returned CREATED, or userErrors say why not. */
  run(query: string): { operation: BulkOperationState | null; userErrors: UserError[] } {
    const invalid = (message: string) => ({
      operation: null,
      userErrors: [{ field: ['query'], message, code: 'INVALID' }],
    });
    const current = this.current();
    if (current && ['CREATED', 'RUNNING', 'CANCELING'].includes(current.status)) {
      const message = `A bulk query operation for this app and shop is already in progress: ${current.id}.`;
      return { operation: null, userErrors: [{ field: null, message, code: 'OPERATION_IN_PROGRESS' }] };
    }
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return invalid(`Invalid bulk query: ${(error as Error).message}`);
    }
    const errors = validate(this.#deps.schema, document);
    if (errors.length > 0) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join('; ')}`);
    const checked = this.#check(document);
    if (typeof checked === 'string') return invalid(checked);

    const operation: BulkOperationState = {
      id: this.#deps.nextId(),
      status: 'CREATED',
      errorCode: null,
      query,
      createdMs: this.#deps.now(),
      completedMs: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
    };
    this.#operations.push(operation);
    const running = this.#execute(operation, checked.document, checked.shape).finally(() =>
      this.#running.delete(running),
    );
    this.#running.add(running);
    return { operation, userErrors: [] };
  }

  /** The shop's latest bulk query operation. */
  current(): BulkOperationState | null {
    return this.#operations[this.#operations.length - 1] ?? null;
  }

  get(id: bigint): BulkOperationState | null {
    return this.#operations.find((operation) => operation.id === id) ?? null;
  }

  /** Asks a running operation to stop: CANCELING, then CANCELED when its current chunk is done. */
  cancel(id: bigint): { operation: BulkOperationState | null; userErrors: UserError[] } {
    const operation = this.get(id);
    if (!operation)
      return { operation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
    if (operation.status !== 'CREATED' && operation.status !== 'RUNNING') {
      const message = `A bulk operation cannot be canceled when it is ${operation.status.toLowerCase()}`;
      return { operation, userErrors: [{ field: null, message }] };
    }
    operation.status = 'CANCELING';
    this.#cancel.add(id);
    return { operation, userErrors: [] };
  }

  /** The result file of `token`, or undefined. */
  file(token: string): string | undefined {
    return this.#files.get(token);
  }

  /** Stops running operations and waits for them; result files are removed with the simulator's folder. */
  async close(): Promise<void> {
    for (const operation of this.#operations) this.#cancel.add(operation.id);
    await Promise.allSettled([...this.#running]);
  }

  /** The root connection and its node selection; adds `id` where a nested connection needs it. */
  #check(document: DocumentNode): { document: DocumentNode; shape: Shape } | string {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1 || operations[0]?.operation !== 'query')
      return 'A bulk query must be a single query operation.';
    const withIds = this.#selectParentIds(document);
    const operation = withIds.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const fragments = fragmentsOf(withIds);
    const roots = selectedFields((operation as OperationDefinitionNode).selectionSet, fragments);
    const root = roots[0];
    if (roots.length !== 1 || !root || !ROOT_CONNECTIONS.has(root.name.value)) {
      return `Bulk queries must have one top-level connection field: ${[...ROOT_CONNECTIONS].join(', ')}.`;
    }
    const queryRoot = this.#deps.schema.getQueryType() as GraphQLObjectType;
    const rootType = getNamedType(queryRoot.getFields()[root.name.value]?.type) as GraphQLObjectType;
    let connections = 0;
    let deepest = 0;
    const walk = (selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType, level: number) => {
      if (!selectionSet || !('getFields' in type)) return;
      for (const field of selectedFields(selectionSet, fragments)) {
        const definition = type.getFields()[field.name.value];
        if (!definition) continue;
        const named = getNamedType(definition.type);
        const nested = isConnection(named) ? level + 1 : level;
        if (isConnection(named)) {
          connections += 1;
          deepest = Math.max(deepest, nested);
        }
        walk(field.selectionSet, named, nested);
      }
    };
    walk(root.selectionSet, rootType, 0);
    if (connections + 1 > MAX_CONNECTIONS)
      return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
    if (deepest > MAX_NESTED_LEVELS)
      return `Bulk queries cannot contain connections nested more than ${MAX_NESTED_LEVELS} levels deep.`;
    const node = nodeSelection(root, rootType, fragments);
    if (!node) return 'The top-level connection must select edges { node { ... } } or nodes { ... }.';
    return { document: withIds, shape: { rootKey: root.alias?.value ?? root.name.value, ...node } };
  }

  /** Adds `id` to every selection set whose type has it and that holds a nested connection. */
  #selectParentIds(document: DocumentNode): DocumentNode {
    const typeInfo = new TypeInfo(this.#deps.schema);
    const idField: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'id' } };
    return visit(
      document,
      visitWithTypeInfo(typeInfo, {
        SelectionSet(node) {
          const type = typeInfo.getParentType();
          if (!type || !('getFields' in type) || !type.getFields().id) return undefined;
          const fields = type.getFields();
          const hasConnection = node.selections.some(
            (s) =>
              s.kind === Kind.FIELD &&
              fields[s.name.value] &&
              isConnection(getNamedType(fields[s.name.value]?.type) as GraphQLNamedType),
          );
          const hasId = node.selections.some(
            (s) => s.kind === Kind.FIELD && s.name.value === 'id' && !s.alias,
          );
          return hasConnection && !hasId ? { ...node, selections: [idField, ...node.selections] } : undefined;
        },
      }),
    );
  }

  async #execute(operation: BulkOperationState, document: DocumentNode, shape: Shape): Promise<void> {
    const { directory, options = {} } = this.#deps;
    const token = randomBytes(16).toString('hex');
    const path = join(directory, `bulk-${operation.id}-${token}.jsonl`);
    const out = createWriteStream(path);
    const plan = emitPlan(shape.nodeSelection, shape.nodeType, fragmentsOf(document));
    const chunkSize = options.chunkSize ?? 250;
    // Start after the mutation's response, as Shopify does: the first status read says CREATED.
    await sleep(0);
    // The final status is set last, once the file is complete: a reader that sees COMPLETED gets the url.
    let ending: 'COMPLETED' | 'CANCELED' | 'FAILED' = 'COMPLETED';
    try {
      if (operation.status === 'CREATED') operation.status = 'RUNNING';
      let after = -1;
      for (;;) {
        if (this.#cancel.has(operation.id)) {
          ending = 'CANCELED';
          break;
        }
        const page: BulkPage = { after, limit: chunkSize, next: null };
        const result = this.#deps.execute(document, page);
        if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
        const lines: string[] = [];
        const connection = (result.data as Record<string, unknown>)[shape.rootKey];
        for (const item of connectionItems(connection)) {
          operation.rootObjectCount += 1;
          emitObject(item, plan, null, lines);
        }
        operation.objectCount += lines.length;
        if (lines.length > 0 && !out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
        if (page.next === null) break;
        after = page.next;
        await sleep(options.chunkDelayMs ?? 0);
      }
    } catch {
      ending = 'FAILED';
      operation.errorCode = 'INTERNAL_SERVER_ERROR';
    }
    out.end();
    await once(out, 'close');
    operation.completedMs = this.#deps.now();
    if (ending === 'COMPLETED') {
      operation.fileSize = out.bytesWritten;
      operation.url = operation.objectCount > 0 ? this.#deps.urlFor(token) : null;
      this.#files.set(token, path);
    } else await rm(path, { force: true });
    operation.status = ending;
    this.#deps.onFinish(operation);
  }
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** The selection on each node of a connection field, through `edges { node }` or `nodes`. */
function nodeSelection(
  field: FieldNode,
  connectionType: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
): { nodeSelection: SelectionSetNode; nodeType: GraphQLObjectType } | null {
  if (!field.selectionSet || !('getFields' in connectionType)) return null;
  const nodeType = getNamedType(connectionType.getFields().nodes?.type) as GraphQLObjectType;
  for (const child of selectedFields(field.selectionSet, fragments)) {
    if (child.name.value === 'nodes' && child.selectionSet)
      return { nodeSelection: child.selectionSet, nodeType };
    if (child.name.value === 'edges' && child.selectionSet) {
      const node = selectedFields(child.selectionSet, fragments).find((f) => f.name.value === 'node');
      if (node?.selectionSet) return { nodeSelection: node.selectionSet, nodeType };
    }
  }
  return null;
}

/** The nodes of a resolved connection value, from `edges` or else `nodes`. */
function connectionItems(value: unknown): Record<string, unknown>[] {
  const connection = value as {
    edges?: { node: Record<string, unknown> }[];
    nodes?: Record<string, unknown>[];
  } | null;
  if (!connection) return [];
  return connection.edges ? connection.edges.map((edge) => edge.node) : (connection.nodes ?? []);
}

/** How to write the objects of one selection set: plain fields, and nested connections with their own plan. */
type EmitPlan = {
  keys: string[];
  nested: { key: string; plan: EmitPlan }[];
};

/** The emit plan of a selection (computed once per operation, not per object). */
function emitPlan(
  selection: SelectionSetNode,
  type: GraphQLObjectType,
  fragments: Record<string, FragmentDefinitionNode>,
): EmitPlan {
  const plan: EmitPlan = { keys: [], nested: [] };
  for (const field of selectedFields(selection, fragments)) {
    const key = field.alias?.value ?? field.name.value;
    const definition = type.getFields()[field.name.value];
    const named = definition ? getNamedType(definition.type) : null;
    const node = named && isConnection(named) ? nodeSelection(field, named, fragments) : null;
    if (node) plan.nested.push({ key, plan: emitPlan(node.nodeSelection, node.nodeType, fragments) });
    else if (!named || !isConnection(named)) plan.keys.push(key);
  }
  return plan;
}

/** Writes `data` as one JSONL line (without its nested connections), then each nested object after it. */
function emitObject(data: Record<string, unknown>, plan: EmitPlan, parentId: unknown, lines: string[]): void {
  const line: Record<string, unknown> = {};
  for (const key of plan.keys) if (key in data) line[key] = data[key];
  if (parentId !== null) line.__parentId = parentId;
  lines.push(JSON.stringify(line));
  for (const child of plan.nested) {
    for (const item of connectionItems(data[child.key])) emitObject(item, child.plan, data.id, lines);
  }
}
