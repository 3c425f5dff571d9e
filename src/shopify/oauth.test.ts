import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizeUrl, isFreshTimestamp, isShopDomain, shopBaseUrl, verifyQueryHmac } from './oauth.ts';

// Shopify's worked example (shopify.dev/docs/apps/build/authentication-authorization/access-tokens/
// authorization-code-grant, "Verify the installation request"): secret `hush`.
const EXAMPLE = {
  code: '0907a61c0c8d55e99db179b68161bc00',
  hmac: '700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf',
  shop: 'some-shop.myshopify.com',
  state: '0.6784241404160823',
  timestamp: '1337178173',
};

describe('verifyQueryHmac', () => {
  it("accepts Shopify's example, in any parameter order, ignoring `signature`", () => {
    assert.equal(verifyQueryHmac(EXAMPLE, 'hush'), true);
    const reordered = {
      timestamp: EXAMPLE.timestamp,
      hmac: EXAMPLE.hmac,
      state: EXAMPLE.state,
      signature: 'x',
      shop: EXAMPLE.shop,
      code: EXAMPLE.code,
    };
    assert.equal(verifyQueryHmac(reordered, 'hush'), true);
  });

  it('refuses a changed parameter, another secret, a malformed or short hmac, and repeated parameters', () => {
    assert.equal(verifyQueryHmac({ ...EXAMPLE, shop: 'other.myshopify.com' }, 'hush'), false);
    assert.equal(verifyQueryHmac(EXAMPLE, 'hush2'), false);
    assert.equal(verifyQueryHmac({ ...EXAMPLE, hmac: EXAMPLE.hmac.slice(0, 62) }, 'hush'), false);
    assert.equal(verifyQueryHmac({ ...EXAMPLE, hmac: undefined }, 'hush'), false);
    assert.equal(verifyQueryHmac({ ...EXAMPLE, code: [EXAMPLE.code, 'x'] }, 'hush'), false);
  });
});

describe('OAuth helpers', () => {
  it('checks shop domains with Shopify pattern', () => {
    assert.equal(isShopDomain('my-shop.myshopify.com'), true);
    for (const bad of [
      'my-shop.example.com',
      '-x.myshopify.com',
      'a.myshopify.com.evil.com',
      42,
      undefined,
    ]) {
      assert.equal(isShopDomain(bad), false, String(bad));
    }
  });

  it('accepts timestamps within five minutes only', () => {
    const now = 1_700_000_000_000;
    assert.equal(isFreshTimestamp('1700000000', now), true);
    assert.equal(isFreshTimestamp('1699999700', now), true);
    assert.equal(isFreshTimestamp('1699999699', now), false);
    assert.equal(isFreshTimestamp('1700000301', now), false);
    assert.equal(isFreshTimestamp('soon', now), false);
  });

  it('builds the offline authorize URL from the base URL template', () => {
    const base = shopBaseUrl('https://{shop}', 'My-Shop.myshopify.com');
    const url = new URL(
      authorizeUrl(base, {
        clientId: 'id',
        scopes: 'read_orders',
        redirectUri: 'https://a.example/cb',
        state: 's',
      }),
    );
    assert.equal(url.origin + url.pathname, 'https://my-shop.myshopify.com/admin/oauth/authorize');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      client_id: 'id',
      scope: 'read_orders',
      redirect_uri: 'https://a.example/cb',
      state: 's',
      'grant_options[]': '',
    });
  });
});
