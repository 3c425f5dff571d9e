/**
 * Store settings, owners and admins only (analysts get a "no access" page and no nav entry): time zone,
 * abandonment threshold, low stock threshold and reconciliation interval (PATCH /tenants/:id), members and roles (owners: /members), API keys (/api-keys).
 */
import { useState, type FormEvent } from 'react';
import {
  Button,
  Checkbox,
  CheckboxGroup,
  FieldError,
  Form,
  Input,
  Label,
  Text,
  TextField,
} from 'react-aria-components';
import type { ApiKeyDto, CreatedApiKeyResponse } from '../../../src/auth/api-key.routes.ts';
import type { Role } from '../../../src/auth/access.ts';
import type { MemberDto } from '../../../src/tenants/member.routes.ts';
import { api, ApiError, useApi } from '../api.ts';
import { DataGrid } from '../components/report.tsx';
import { Async, Card, PageHeader } from '../components/ui.tsx';
import { dateTime } from '../format.ts';
import { canManage, useSession, type Store } from '../session.ts';

const ROLES: Role[] = ['owner', 'admin', 'analyst'];
const SCOPES = ['analytics:read', 'ingest:write'] as const;

export default function Settings({ store }: { store: Store }) {
  if (!canManage(store)) {
    return (
      <div className="page">
        <PageHeader title="Settings" />
        <Card>
          <p role="alert" className="state">
            You don’t have access to this store’s settings. Ask an owner or admin.
          </p>
        </Card>
      </div>
    );
  }
  return (
    <div className="page page-narrow">
      <PageHeader title="Settings">
        <p className="subtitle">{store.name}</p>
      </PageHeader>
      <General store={store} />
      {store.role === 'owner' && <Members store={store} />}
      <ApiKeys store={store} />
    </div>
  );
}

function useStatus() {
  const [status, setStatus] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const run = async (action: () => Promise<unknown>, done: string) => {
    setStatus(null);
    try {
      await action();
      setStatus({ tone: 'ok', text: done });
    } catch (error) {
      setStatus({
        tone: 'error',
        text: error instanceof ApiError ? error.message : 'Shopsight could not be reached',
      });
    }
  };
  const view = status && (
    <p
      className={status.tone === 'ok' ? 'notice' : 'form-error'}
      role={status.tone === 'ok' ? 'status' : 'alert'}
    >
      {status.text}
    </p>
  );
  return { run, view };
}

/** A whole-number setting of the tenant, as a text field with its unit and bounds. */
const NUMBER_SETTINGS = [
  {
    key: 'abandonmentThresholdMinutes',
    label: 'Checkout abandonment threshold (minutes)',
    help: 'A checkout without an order counts as abandoned this long after the buyer’s last activity (1 to 43,200).',
    valid: (n: number) => n >= 1 && n <= 43_200,
  },
  {
    key: 'lowStockThreshold',
    label: 'Low stock threshold (units)',
    help: 'A variant at a location with this many units or fewer on hand is low stock (0 to 1,000,000).',
    valid: (n: number) => n >= 0 && n <= 1_000_000,
  },
  {
    key: 'reconcileIntervalMinutes',
    label: 'Reconciliation interval (minutes)',
    help: 'How often Shopsight compares its data with Shopify’s: 0 turns it off, else 15 to 10,080.',
    valid: (n: number) => n === 0 || (n >= 15 && n <= 10_080),
  },
] as const;

type NumberSetting = (typeof NUMBER_SETTINGS)[number]['key'];

function General({ store }: { store: Store }) {
  const { refresh } = useSession();
  const [timezone, setTimezone] = useState(store.timezone);
  const [numbers, setNumbers] = useState<Record<NumberSetting, string>>(() => ({
    abandonmentThresholdMinutes: String(store.abandonmentThresholdMinutes),
    lowStockThreshold: String(store.lowStockThreshold),
    reconcileIntervalMinutes: String(store.reconcileIntervalMinutes),
  }));
  const { run, view } = useStatus();
  const zones = Intl.supportedValuesOf('timeZone');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Partial<Record<'timezone', string> & Record<NumberSetting, number>> = {};
    if (timezone !== store.timezone) body.timezone = timezone;
    for (const { key } of NUMBER_SETTINGS) {
      if (numbers[key] !== String(store[key])) body[key] = Number(numbers[key]);
    }
    void run(async () => {
      await api(`/tenants/${store.id}`, { method: 'PATCH', body });
      refresh();
    }, 'Settings saved.');
  };
  return (
    <Card title="General">
      <Form className="form" onSubmit={submit}>
        <label className="field">
          <span>Time zone</span>
          <select className="input" value={timezone} onChange={(event) => setTimezone(event.target.value)}>
            {(zones.includes(store.timezone) ? zones : [store.timezone, ...zones]).map((zone) => (
              <option key={zone}>{zone}</option>
            ))}
          </select>
          <span className="help">Reports cut days at midnight in this zone.</span>
        </label>
        {NUMBER_SETTINGS.map((setting) => (
          <TextField
            key={setting.key}
            className="field"
            value={numbers[setting.key]}
            onChange={(value) => setNumbers((previous) => ({ ...previous, [setting.key]: value }))}
            inputMode="numeric"
            isRequired
            validate={(value) => (/^\d+$/.test(value) && setting.valid(Number(value)) ? null : setting.help)}
          >
            <Label>{setting.label}</Label>
            <Input className="input" />
            <Text slot="description" className="help">
              {setting.help}
            </Text>
            <FieldError className="form-error" />
          </TextField>
        ))}
        {view}
        <Button type="submit" className="button button-primary">
          Save
        </Button>
      </Form>
    </Card>
  );
}

function Members({ store }: { store: Store }) {
  const members = useApi<{ members: MemberDto[] }>(`/tenants/${store.id}/members`);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const { run, view } = useStatus();
  const add = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api(`/tenants/${store.id}/members`, { method: 'POST', body: { email, role } });
      setEmail('');
      members.reload();
    }, `${email} added.`);
  };
  return (
    <Card title="Members and roles">
      <Async resource={members}>
        {(data) => (
          <DataGrid
            label="Members"
            rows={data.members}
            rowKey={(row) => row.userId}
            columns={[
              { id: 'email', label: 'Email', rowHeader: true, render: (row) => row.email },
              {
                id: 'role',
                label: 'Role',
                render: (row) => (
                  <select
                    className="input input-small"
                    aria-label={`Role of ${row.email}`}
                    value={row.role}
                    onChange={(event) =>
                      void run(async () => {
                        await api(`/tenants/${store.id}/members/${row.userId}`, {
                          method: 'PATCH',
                          body: { role: event.target.value },
                        });
                        members.reload();
                      }, `${row.email} is now ${event.target.value}.`)
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                ),
              },
              {
                id: 'remove',
                label: 'Action',
                render: (row) => (
                  <Button
                    className="button button-small"
                    aria-label={`Remove ${row.email}`}
                    onPress={() =>
                      void run(async () => {
                        await api(`/tenants/${store.id}/members/${row.userId}`, { method: 'DELETE' });
                        members.reload();
                      }, `${row.email} removed.`)
                    }
                  >
                    Remove
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Async>
      <Form className="form form-inline" onSubmit={add}>
        <TextField type="email" isRequired value={email} onChange={setEmail}>
          <Label>Email of a Shopsight user</Label>
          <Input className="input" />
        </TextField>
        <label className="field">
          <span>Role</span>
          <select className="input" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" className="button">
          Add member
        </Button>
      </Form>
      {view}
    </Card>
  );
}

function ApiKeys({ store }: { store: Store }) {
  const keys = useApi<{ apiKeys: ApiKeyDto[] }>(`/tenants/${store.id}/api-keys`);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['analytics:read']);
  const [created, setCreated] = useState<string | null>(null);
  const { run, view } = useStatus();
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const answer = await api<CreatedApiKeyResponse>(`/tenants/${store.id}/api-keys`, {
        method: 'POST',
        body: { name, scopes },
      });
      setCreated(answer.key);
      setName('');
      keys.reload();
    }, 'Key created. Copy it now: it is not shown again.');
  };
  return (
    <Card title="API keys">
      <Async resource={keys} isEmpty={(data) => data.apiKeys.length === 0} empty="No API keys yet.">
        {(data) => (
          <DataGrid
            label="API keys"
            rows={data.apiKeys}
            rowKey={(row) => row.id}
            columns={[
              { id: 'name', label: 'Name', rowHeader: true, render: (row) => row.name },
              { id: 'prefix', label: 'Key', render: (row) => <code>{row.prefix}…</code> },
              { id: 'scopes', label: 'Scopes', render: (row) => row.scopes.join(', ') },
              {
                id: 'lastUsedAt',
                label: 'Last used',
                render: (row) => dateTime(row.lastUsedAt, store.timezone),
              },
              {
                id: 'revoke',
                label: 'Action',
                render: (row) =>
                  row.revokedAt ? (
                    'Revoked'
                  ) : (
                    <Button
                      className="button button-small"
                      aria-label={`Revoke ${row.name}`}
                      onPress={() =>
                        void run(async () => {
                          await api(`/tenants/${store.id}/api-keys/${row.id}`, { method: 'DELETE' });
                          keys.reload();
                        }, `${row.name} revoked.`)
                      }
                    >
                      Revoke
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </Async>
      <Form className="form form-inline" onSubmit={create}>
        <TextField isRequired value={name} onChange={setName}>
          <Label>Key name</Label>
          <Input className="input" />
        </TextField>
        <CheckboxGroup value={scopes} onChange={setScopes} className="checkboxes" isRequired>
          <Label className="group-label">Scopes</Label>
          {SCOPES.map((scope) => (
            <Checkbox key={scope} value={scope} className="checkbox">
              <span className="checkbox-box" aria-hidden="true" />
              {scope}
            </Checkbox>
          ))}
        </CheckboxGroup>
        <Button type="submit" className="button">
          Create key
        </Button>
      </Form>
      {view}
      {created && (
        <p className="secret">
          <code>{created}</code>
        </p>
      )}
    </Card>
  );
}
