/**
 * Connect a store: Shopify's OAuth install (`/shopify/install?shop=`, when the server has app credentials)
 * or custom-app mode (POST /tenants, then POST /tenants/:id/connection with the Admin API access token and
 * the app's webhook signing secret).
 */
import { useState, type FormEvent } from 'react';
import { Button, Form, Input, Label, Radio, RadioGroup, Text, TextField } from 'react-aria-components';
import type { TenantDto } from '../../../src/tenants/tenant.routes.ts';
import { api, ApiError } from '../api.ts';
import { Card, PageHeader } from '../components/ui.tsx';
import { navigate } from '../router.ts';
import { useSession, type Store } from '../session.ts';

export default function Connect({ first = false }: { first?: boolean }) {
  const { refresh } = useSession();
  const [shop, setShop] = useState('');
  const [method, setMethod] = useState<'oauth' | 'custom_app'>('custom_app');
  const [token, setToken] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shopDomain = shop.trim().toLowerCase();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (method === 'oauth') {
      window.location.assign(`/shopify/install?shop=${encodeURIComponent(shopDomain)}`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const tenant = await api<TenantDto>('/tenants', { method: 'POST', body: { shopDomain } });
      await api(`/tenants/${tenant.id}/connection`, {
        method: 'POST',
        body: { method: 'custom_app', accessToken: token, ...(secret && { webhookSecret: secret }) },
      });
      refresh();
      navigate(`/stores/${tenant.id}/operations`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Shopsight could not be reached');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page page-narrow">
      <PageHeader title={first ? 'Connect your first store' : 'Connect a store'}>
        <p className="subtitle">
          Shopsight reads orders, customers and products and keeps them in sync by webhook.
        </p>
      </PageHeader>
      <Card>
        <Form className="form" onSubmit={(event) => void submit(event)}>
          <TextField isRequired value={shop} onChange={setShop} name="shop">
            <Label>Shop domain</Label>
            <Input className="input" placeholder="example.myshopify.com" />
          </TextField>
          <RadioGroup
            value={method}
            onChange={(value) => setMethod(value as 'oauth' | 'custom_app')}
            className="radios"
          >
            <Label className="group-label">How to connect</Label>
            <Radio value="oauth" className="radio">
              Install the Shopsight app (OAuth)
            </Radio>
            <Radio value="custom_app" className="radio">
              Custom app access token
            </Radio>
          </RadioGroup>
          {method === 'custom_app' && (
            <>
              <TextField isRequired value={token} onChange={setToken} name="accessToken" type="password">
                <Label>Admin API access token</Label>
                <Input className="input" autoComplete="off" />
                <Text slot="description" className="help">
                  From the custom app's API credentials in the Shopify admin (shpat_…).
                </Text>
              </TextField>
              <TextField value={secret} onChange={setSecret} name="webhookSecret" type="password">
                <Label>Webhook signing secret</Label>
                <Input className="input" autoComplete="off" />
                <Text slot="description" className="help">
                  The app's API secret key, which signs its webhooks.
                </Text>
              </TextField>
            </>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Button type="submit" className="button button-primary" isDisabled={busy}>
            {method === 'oauth' ? 'Continue to Shopify' : 'Connect store'}
          </Button>
        </Form>
      </Card>
    </div>
  );
}

/** Custom-app connection of an existing store (Operations, when it is not connected). */
export function ConnectForm({ store, onConnected }: { store: Store; onConnected: () => void }) {
  const [token, setToken] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api(`/tenants/${store.id}/connection`, {
        method: 'POST',
        body: { method: 'custom_app', accessToken: token, ...(secret && { webhookSecret: secret }) },
      });
      onConnected();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Shopsight could not be reached');
    }
  };
  return (
    <Form className="form form-inline" onSubmit={(event) => void submit(event)}>
      <p>
        Install with OAuth:{' '}
        <a href={`/shopify/install?shop=${encodeURIComponent(store.shopDomain)}`}>
          connect {store.shopDomain}
        </a>
        , or paste a custom app's token:
      </p>
      <TextField isRequired value={token} onChange={setToken} type="password">
        <Label>Admin API access token</Label>
        <Input className="input" autoComplete="off" />
      </TextField>
      <TextField value={secret} onChange={setSecret} type="password">
        <Label>Webhook signing secret</Label>
        <Input className="input" autoComplete="off" />
      </TextField>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <Button type="submit" className="button button-primary">
        Connect
      </Button>
    </Form>
  );
}
