/**
 * Reading a bulk operation's JSONL result as a stream of whole root objects.
 *
 * Shopify writes one object per line; the nodes of nested connections follow their parent on lines of their
 * own with `__parentId` (shopify.dev/docs/api/usage/bulk-operations/queries#the-jsonl-data-format). The
 * body is pulled chunk by chunk and split into lines as the writer asks for roots: only the current chunk,
 * root and batch are held, never the file. (node:readline was measured to read ahead of a slow consumer,
 * buffering most of a 100 MB result; a pulled stream cannot.) A root is complete when the next root line
 * starts, or at the end of the file.
 */
import { parseJsonLossless, type JsonObject } from '../lib/json.ts';
import { CHILD_FIELD, gidType } from './graphql-shapes.ts';

/** A root object with its children gathered, and the 1-based number of its last line in the file. */
export type RootObject = { node: JsonObject; lastLine: number };

/** Thrown when the result URL no longer serves the file (expired or removed): the operation must run again. */
export class BulkResultGoneError extends Error {
  override name = 'BulkResultGoneError';
}

/**
 * Streams the roots of the JSONL at `url`, skipping the first `skipLines` lines (already committed).
 *
 * @throws BulkResultGoneError on HTTP 403, 404 or 410 (Shopify's signed URLs expire after a week);
 *   Error for other HTTP errors or a line that is not JSON.
 */
export async function* readBulkResult(url: string, skipLines = 0): AsyncGenerator<RootObject> {
  const response = await fetch(url);
  if ([403, 404, 410].includes(response.status)) {
    await response.body?.cancel();
    throw new BulkResultGoneError(`the bulk result is gone (HTTP ${response.status})`);
  }
  if (!response.ok || !response.body)
    throw new Error(`bulk result download answered HTTP ${response.status}`);
  yield* assembleRoots(linesOf(response.body), skipLines);
}

/** The lines of a byte stream (UTF-8, `\n` or `\r\n`), read as they are asked for. */
export async function* linesOf(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    const text = pending + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    pending = text.slice(start);
  }
  pending += decoder.decode();
  if (pending.length > 0) yield pending;
}

/**
 * Gathers JSONL lines into roots: a line with `__parentId` joins the object of that id (the root or one of
 * its nested objects, such as a refund), under the field its type belongs to (`CHILD_FIELD`).
 */
export async function* assembleRoots(
  lines: AsyncIterable<string>,
  skipLines = 0,
): AsyncGenerator<RootObject> {
  let number = 0;
  let root: JsonObject | null = null;
  let rootLast = 0;
  // Objects of the current root that children may point at, by global id.
  const byId = new Map<string, JsonObject>();
  for await (const line of lines) {
    number += 1;
    if (number <= skipLines || line.length === 0) continue;
    const object = parseJsonLossless(line) as JsonObject;
    const parentId = object.__parentId;
    if (typeof parentId !== 'string') {
      if (root) yield { node: root, lastLine: rootLast };
      root = object;
      rootLast = number;
      byId.clear();
      index(object, byId);
      continue;
    }
    rootLast = number;
    const parent = byId.get(parentId);
    // A child whose root was committed before a restart: the resume point is always at a root boundary.
    if (!parent) throw new Error(`bulk result line ${number}: parent ${parentId} not found`);
    delete object.__parentId;
    const field = CHILD_FIELD[gidType(object.id) ?? ''] ?? 'children';
    const list = Array.isArray(parent[field]) ? (parent[field] as JsonObject[]) : [];
    list.push(object);
    parent[field] = list;
    index(object, byId);
  }
  if (root) yield { node: root, lastLine: rootLast };
}

/** Indexes `object` and the objects of its plain lists (an order's refunds) by id. */
function index(object: JsonObject, byId: Map<string, JsonObject>) {
  if (typeof object.id === 'string') byId.set(object.id, object);
  for (const value of Object.values(object)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      const child = item as JsonObject | null;
      if (child && typeof child === 'object' && typeof child.id === 'string') byId.set(child.id, child);
    }
  }
}
