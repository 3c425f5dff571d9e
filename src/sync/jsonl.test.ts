// Reassembly of bulk results: Shopify's own sample (products and their variants), children of a nested
// object (refund line items under a refund inside an order), the resume point at a root boundary, lines
// split across chunks, and the mapping of a reassembled product to the rows a products/update webhook
// gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { normalizeProduct } from '../ingest/normalize.ts';
import { parseJsonLossless, type JsonObject } from '../lib/json.ts';
import { orderToRest, productToRest } from './graphql-shapes.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assembleRoots, BulkResultGoneError, linesOf, readBulkResult, type RootObject } from './jsonl.ts';

const SAMPLE = readFileSync(
  resolve(import.meta.dirname, '../../test/fixtures/shopify/bulk_query_products_variants.jsonl'),
  'utf8',
);

async function* from(lines: string[]) {
  yield* lines;
}

async function collect(lines: string[], skip = 0): Promise<RootObject[]> {
  const roots: RootObject[] = [];
  for await (const root of assembleRoots(from(lines), skip)) roots.push(root);
  return roots;
}

const ORDER_LINES = [
  {
    id: 'gid://shopify/Order/1',
    refunds: [{ id: 'gid://shopify/Refund/9', createdAt: '2025-02-01T00:00:00Z' }],
  },
  { id: 'gid://shopify/LineItem/11', quantity: 2, __parentId: 'gid://shopify/Order/1' },
  { id: 'gid://shopify/RefundLineItem/91', quantity: 1, __parentId: 'gid://shopify/Refund/9' },
  { id: 'gid://shopify/Order/2', refunds: [] },
  { id: 'gid://shopify/LineItem/21', quantity: 1, __parentId: 'gid://shopify/Order/2' },
  { id: 'gid://shopify/LineItem/22', quantity: 3, __parentId: 'gid://shopify/Order/2' },
].map((line) => JSON.stringify(line));

describe('bulk result reassembly', () => {
  it("gathers Shopify's sample into products with their variants", async () => {
    const roots = await collect(SAMPLE.trim().split('\n'));
    assert.equal(roots.length, 5);
    const first = roots[0]!.node;
    assert.equal(first.id, 'gid://shopify/Product/1921569226808');
    assert.deepEqual(
      (first.variants as JsonObject[]).map((v) => v.title),
      ['52', '70'],
    );
    assert.ok(!('__parentId' in (first.variants as JsonObject[])[0]!));
    assert.deepEqual(
      roots.map((r) => r.lastLine),
      [3, 5, 7, 9, 11],
    );
  });

  it('puts children of a nested object under it, and resumes after a committed root', async () => {
    const roots = await collect(ORDER_LINES);
    assert.equal(roots.length, 2);
    const refund = (roots[0]!.node.refunds as JsonObject[])[0]!;
    assert.deepEqual(
      (refund.refundLineItems as JsonObject[]).map((item) => item.id),
      ['gid://shopify/RefundLineItem/91'],
    );
    const rest = orderToRest(roots[0]!.node);
    assert.equal((rest.refunds as JsonObject[])[0]!.order_id, '1');
    assert.equal(((rest.refunds as JsonObject[])[0]!.refund_line_items as JsonObject[])[0]!.id, '91');

    const resumed = await collect(ORDER_LINES, roots[0]!.lastLine);
    assert.deepEqual(
      resumed.map((r) => [r.node.id, (r.node.lineItems as JsonObject[]).length, r.lastLine]),
      [['gid://shopify/Order/2', 2, 6]],
    );
  });

  it('refuses a child whose parent is not in the current root', async () => {
    await assert.rejects(collect(ORDER_LINES, 1), /parent gid:\/\/shopify\/Order\/1 not found/);
  });

  it('splits lines across chunk boundaries, CRLF included', async () => {
    const bytes = new TextEncoder().encode('{"a":1}\r\n{"b":"é"}\n{"c":3}');
    const chunks = async function* () {
      for (let at = 0; at < bytes.length; at += 3) yield bytes.slice(at, at + 3);
    };
    const lines: string[] = [];
    for await (const line of linesOf(chunks())) lines.push(line);
    assert.deepEqual(lines, ['{"a":1}', '{"b":"é"}', '{"c":3}']);
  });

  it('maps a GraphQL product to the rows its products/update webhook gives', () => {
    const node = parseJsonLossless(
      JSON.stringify({
        id: 'gid://shopify/Product/1921569226808',
        title: 'Shirt',
        handle: 'shirt',
        vendor: 'Acme',
        productType: 'Tops',
        status: 'ACTIVE',
        tags: ['summer', 'cotton'],
        createdAt: '2025-01-02T03:04:05Z',
        updatedAt: '2025-01-03T03:04:05Z',
        publishedAt: null,
        variants: [
          {
            id: 'gid://shopify/ProductVariant/19435458986123',
            title: '52',
            sku: 'S-52',
            price: '19.99',
            compareAtPrice: null,
            position: 1,
            createdAt: '2025-01-02T03:04:05Z',
            updatedAt: '2025-01-03T03:04:05Z',
            inventoryItem: { id: 'gid://shopify/InventoryItem/777' },
          },
        ],
      }),
    ) as JsonObject;
    const { product, variants } = normalizeProduct(
      '7b0c2f4e-2f0c-4b8e-9a39-0d3e6c1d2a11',
      productToRest(node),
    );
    assert.equal(product.id, '1921569226808');
    assert.equal(product.status, 'active');
    assert.equal(product.tags, 'summer, cotton');
    assert.equal(product.updated_at, '2025-01-03T03:04:05.000Z');
    assert.equal(variants[0]!.id, '19435458986123');
    assert.equal(variants[0]!.product_id, '1921569226808');
    assert.equal(variants[0]!.inventory_item_id, '777');
    assert.equal(variants[0]!.price, '19.99');
  });

  it('streams a result over HTTP from the resume point, and says when the URL is gone', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/expired') return void response.writeHead(403).end('Request has expired');
      response.writeHead(200, { 'content-type': 'application/jsonl' }).end(SAMPLE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const roots: RootObject[] = [];
      for await (const root of readBulkResult(`${base}/result.jsonl`, 5)) roots.push(root);
      assert.deepEqual(
        roots.map((root) => root.lastLine),
        [7, 9, 11],
      );
      await assert.rejects(async () => {
        for await (const root of readBulkResult(`${base}/expired`)) void root;
      }, BulkResultGoneError);
    } finally {
      server.close();
    }
  });
});
