// The tenant API's input checks: the shop domain decides which webhooks a tenant receives, and the time zone
// is handed to PostgreSQL's AT TIME ZONE, so both must be exactly what Shopify and PostgreSQL accept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createTenantBody, isIanaTimeZone, updateTenantBody } from './tenant.routes.ts';

const accepts = (body: unknown) => createTenantBody.safeParse(body).success;

describe('isIanaTimeZone', () => {
  it('accepts IANA zone names', () => {
    for (const zone of [
      'America/New_York',
      'UTC',
      'Asia/Kolkata',
      'Europe/Berlin',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
    ]) {
      assert.equal(isIanaTimeZone(zone), true, zone);
    }
  });

  it('rejects unknown zones, paths and offsets', () => {
    const rejected = [
      'Mars/Olympus',
      '',
      '../etc',
      'America/../etc/passwd',
      'America/New_York/',
      '/UTC',
      'UTC;DROP',
      '+05:30',
      'America/New York',
    ];
    for (const zone of rejected) {
      assert.equal(isIanaTimeZone(zone), false, JSON.stringify(zone));
    }
  });
});

describe('createTenantBody', () => {
  it('accepts a shop domain alone and with every optional field', () => {
    assert.deepEqual(createTenantBody.parse({ shopDomain: 'a.myshopify.com' }), {
      shopDomain: 'a.myshopify.com',
    });
    const full = {
      shopDomain: 'My-Shop-2.myshopify.com',
      name: 'My shop',
      timezone: 'Asia/Kolkata',
      currency: 'USD',
      webhookSecret: 'shpss_0123',
    };
    assert.deepEqual(createTenantBody.parse(full), full);
  });

  it("accepts only Shopify's shop domain pattern", () => {
    for (const shopDomain of ['a.myshopify.com', 'shop-1.myshopify.com', '0shop.myshopify.com']) {
      assert.equal(accepts({ shopDomain }), true, shopDomain);
    }
    const rejected = [
      '-a.myshopify.com',
      'a.myshopify.com.evil.com',
      'a_b.myshopify.com',
      'evil.com',
      '.myshopify.com',
      'myshopify.com',
      'a.b.myshopify.com',
      'a.myshopify.com/',
      'https://a.myshopify.com',
      ' a.myshopify.com',
      'a.myshopify.com\n',
      'a.myshopifyXcom',
      '',
    ];
    for (const shopDomain of rejected) {
      assert.equal(accepts({ shopDomain }), false, JSON.stringify(shopDomain));
    }
  });

  it('requires the shop domain', () => {
    assert.equal(accepts({ name: 'No domain' }), false);
  });

  it('checks the time zone', () => {
    for (const timezone of ['America/New_York', 'UTC', 'Asia/Kolkata']) {
      assert.equal(accepts({ shopDomain: 'a.myshopify.com', timezone }), true, timezone);
    }
    for (const timezone of ['Mars/Olympus', '', '../etc']) {
      assert.equal(accepts({ shopDomain: 'a.myshopify.com', timezone }), false, JSON.stringify(timezone));
    }
  });

  it('takes the currency as an upper-case ISO 4217 code', () => {
    assert.equal(accepts({ shopDomain: 'a.myshopify.com', currency: 'USD' }), true);
    for (const currency of ['usd', 'US', 'USDT', 'U$D', '']) {
      assert.equal(accepts({ shopDomain: 'a.myshopify.com', currency }), false, currency);
    }
  });

  it('trims the name and rejects a blank one', () => {
    assert.equal(createTenantBody.parse({ shopDomain: 'a.myshopify.com', name: '  Shop  ' }).name, 'Shop');
    assert.equal(accepts({ shopDomain: 'a.myshopify.com', name: '   ' }), false);
  });

  it('rejects unknown keys', () => {
    const result = createTenantBody.safeParse({ shopDomain: 'a.myshopify.com', tenantId: 'other-tenant' });
    assert.equal(result.success, false);
    assert.equal(result.error?.issues[0]?.code, 'unrecognized_keys');
  });
});

describe('updateTenantBody', () => {
  it('accepts an empty patch and each field on its own', () => {
    assert.deepEqual(updateTenantBody.parse({}), {});
    assert.deepEqual(updateTenantBody.parse({ timezone: 'Asia/Tokyo' }), { timezone: 'Asia/Tokyo' });
    assert.deepEqual(updateTenantBody.parse({ currency: 'EUR' }), { currency: 'EUR' });
  });

  it('takes a null webhook secret, which clears it', () => {
    assert.deepEqual(updateTenantBody.parse({ webhookSecret: null }), { webhookSecret: null });
    assert.equal(updateTenantBody.safeParse({ webhookSecret: '' }).success, false);
  });

  it('checks the time zone and currency like create does', () => {
    assert.equal(updateTenantBody.safeParse({ timezone: 'Mars/Olympus' }).success, false);
    assert.equal(updateTenantBody.safeParse({ currency: 'usd' }).success, false);
  });

  it('rejects unknown keys, including the shop domain, which cannot change', () => {
    assert.equal(updateTenantBody.safeParse({ shopDomain: 'b.myshopify.com' }).success, false);
    assert.equal(updateTenantBody.safeParse({ name: 'x', id: 'other' }).success, false);
  });

  it('takes the report settings within their bounds, at the bounds included', () => {
    const ok = (body: object) => updateTenantBody.safeParse(body).success;
    for (const minutes of [1, 60, 43_200]) assert.equal(ok({ abandonmentThresholdMinutes: minutes }), true);
    for (const minutes of [0, -1, 43_201, 1.5, '60', null]) {
      assert.equal(ok({ abandonmentThresholdMinutes: minutes }), false, String(minutes));
    }
    for (const units of [0, 10, 1_000_000]) assert.equal(ok({ lowStockThreshold: units }), true);
    for (const units of [-1, 1_000_001, 2.5, '10'])
      assert.equal(ok({ lowStockThreshold: units }), false, String(units));
    for (const minutes of [0, 15, 360, 10_080]) assert.equal(ok({ reconcileIntervalMinutes: minutes }), true);
    for (const minutes of [1, 14, -15, 10_081, 30.5]) {
      assert.equal(ok({ reconcileIntervalMinutes: minutes }), false, String(minutes));
    }
  });
});
