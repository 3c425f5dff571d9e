// Shopsight's webhook signature check against Shopify's own (`shopify.webhooks.validate` of
// @shopify/shopify-api), on the raw bytes of every fixture, plus the malformed headers ours must survive.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';

import { signWebhookBody, verifyWebhookHmac } from './hmac.ts';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/shopify');
const SECRET = 'hmac-test-app-secret';

const shopify = shopifyApi({
  apiKey: 'hmac-test-api-key',
  apiSecretKey: SECRET,
  scopes: [],
  hostName: 'localhost',
  apiVersion: ApiVersion.April26,
  isEmbeddedApp: false,
  // Failed validations are logged at debug level; keep the test output clean.
  logger: { level: LogSeverity.Error, log: () => {} },
});

const fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, body: readFileSync(resolve(FIXTURES, file)) }));

/**
 * Besides the HMAC, `shopify.webhooks.validate` requires the topic, shop domain, API version and webhook id
 * headers (lib/webhooks/validate.ts, checkWebhooksHeaders) and a non-empty body; without them it answers
 * `{ valid: false, reason: 'missing_headers' }` even for a correct signature.
 */
function deliveryHeaders(hmac: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'hmac-test.myshopify.com',
    'x-shopify-api-version': '2026-04',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
    'x-shopify-triggered-at': '2026-01-01T00:00:00.000Z',
  };
  if (hmac !== undefined) headers['x-shopify-hmac-sha256'] = hmac;
  return headers;
}

/**
 * Shopify's verdict on a request, built as Node's HTTP server would hand it to an app (the node adapter
 * reads only headers, method and url).
 */
async function shopifyValidate(body: Buffer, headers: Record<string, string>) {
  const rawRequest = new IncomingMessage(new Socket());
  rawRequest.method = 'POST';
  rawRequest.url = '/webhooks/shopify';
  rawRequest.headers = headers;
  const rawResponse = new ServerResponse(rawRequest);
  // The library takes the body as a string and signs its UTF-8 encoding; every fixture is UTF-8.
  return shopify.webhooks.validate({ rawBody: body.toString('utf8'), rawRequest, rawResponse });
}

async function bothVerdicts(body: Buffer, hmac: string | undefined, secretForOurs = SECRET) {
  const shopifyResult = await shopifyValidate(body, deliveryHeaders(hmac));
  return { ours: verifyWebhookHmac(body, hmac, secretForOurs), shopify: shopifyResult.valid };
}

/** The body with one ASCII byte near the middle changed (flipping the low bit keeps it ASCII and UTF-8). */
function tampered(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  let i = Math.floor(copy.length / 2);
  while ((copy[i] ?? 0) >= 0x80) i += 1;
  copy.writeUInt8((copy[i] ?? 0) ^ 0x01, i);
  return copy;
}

describe('verifyWebhookHmac agrees with @shopify/shopify-api on every fixture', () => {
  test('the fixtures are there', () => {
    assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixture files`);
  });

  for (const { file, body } of fixtures) {
    describe(file, () => {
      const signature = signWebhookBody(body, SECRET);

      test('correctly signed: both accept, and Shopify reads the delivery headers', async () => {
        assert.deepEqual(await bothVerdicts(body, signature), { ours: true, shopify: true });
        const result = await shopifyValidate(body, deliveryHeaders(signature));
        assert.ok(result.valid);
        assert.equal(result.domain, 'hmac-test.myshopify.com');
        // The library reports topics in GraphQL enum form (topicForStorage): orders/create -> ORDERS_CREATE.
        assert.equal(result.topic, 'ORDERS_CREATE');
      });

      test('tampered body: both reject', async () => {
        assert.deepEqual(await bothVerdicts(tampered(body), signature), { ours: false, shopify: false });
        const appended = Buffer.concat([body, Buffer.from(' ')]);
        assert.deepEqual(await bothVerdicts(appended, signature), { ours: false, shopify: false });
      });

      test('signed with another secret: both reject', async () => {
        const wrong = signWebhookBody(body, 'another-secret');
        assert.deepEqual(await bothVerdicts(body, wrong), { ours: false, shopify: false });
        // And ours, given the wrong secret, rejects Shopify's correct signature.
        assert.equal(verifyWebhookHmac(body, signature, 'another-secret'), false);
      });

      test("another body's signature: both reject", async () => {
        const other = signWebhookBody(Buffer.from('{"id":1}'), SECRET);
        assert.deepEqual(await bothVerdicts(body, other), { ours: false, shopify: false });
      });
    });
  }
});

describe('malformed signature headers', () => {
  const body =
    fixtures.find((fixture) => fixture.file === 'webhook_orders_create.json')?.body ?? Buffer.from('{}');
  const correct = signWebhookBody(body, SECRET);
  const cases: [name: string, header: string | undefined][] = [
    ['missing', undefined],
    ['empty', ''],
    ['base64 of 31 bytes', Buffer.alloc(31, 7).toString('base64')],
    ['base64 of 33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['the right signature cut short', correct.slice(0, -4)],
    ['the right signature plus garbage', `${correct}AAAA`],
    ['not base64', 'not base64 at all!!'],
    ['hex of the right digest', Buffer.from(correct, 'base64').toString('hex')],
  ];
  for (const [name, header] of cases) {
    test(`${name}: ours answers false without throwing, and Shopify rejects it too`, async () => {
      let ours: boolean | undefined;
      assert.doesNotThrow(() => {
        ours = verifyWebhookHmac(body, header, SECRET);
      });
      assert.equal(ours, false);
      assert.equal((await shopifyValidate(body, deliveryHeaders(header))).valid, false);
    });
  }
});

describe('what shopify.webhooks.validate needs besides the HMAC', () => {
  test('a correct signature without topic, domain, version and webhook id is missing_headers', async () => {
    const body = Buffer.from('{"id":1}');
    const result = await shopifyValidate(body, { 'x-shopify-hmac-sha256': signWebhookBody(body, SECRET) });
    assert.deepEqual(result, {
      valid: false,
      reason: 'missing_headers',
      missingHeaders: [
        'X-Shopify-Topic',
        'X-Shopify-Shop-Domain',
        'X-Shopify-API-Version',
        'X-Shopify-Webhook-Id',
      ],
    });
    // Ours checks the signature only; the webhook route checks those headers itself.
    assert.equal(verifyWebhookHmac(body, signWebhookBody(body, SECRET), SECRET), true);
  });
});
