/**
 * Operations: sync status per resource (progress, rate, ETA; start a sync), webhook health (events per
 * minute by status, skips by cause, backlog), dead letters with a retry button, and the store connection.
 * Owners and admins act; analysts see the same status read-only.
 */
import { useMemo, useState } from 'react';
import { Button, Label, ProgressBar } from 'react-aria-components';
import type { ConnectionDto } from '../../../src/tenants/connection.routes.ts';
import type { DeadLetterPageResponse, WebhookHealthResponse } from '../../../src/ingest/health.routes.ts';
import { api, ApiError, query, useApi } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { DataGrid, humanize, rowsOf, type Row } from '../components/report.tsx';
import { Async, Card, CsvLink, PageHeader } from '../components/ui.tsx';
import { count, dateTime, duration } from '../format.ts';
import { setParams, useLocation } from '../router.ts';
import { canManage, type Store } from '../session.ts';
import { ConnectForm } from './Connect.tsx';

const STATUS_COLORS = {
  processed: '#008060',
  skipped: '#b98900',
  pending: '#2c6ecb',
  dead: '#d72c0d',
} as const;

export default function Operations({ store }: { store: Store }) {
  const manage = canManage(store);
  return (
    <div className="page">
      <PageHeader title="Operations">
        <p className="subtitle">Sync, webhooks and the store connection of {store.name}</p>
      </PageHeader>
      <SyncStatus store={store} manage={manage} />
      <WebhookHealth store={store} />
      <DeadLetters store={store} manage={manage} />
      <Connection store={store} manage={manage} />
    </div>
  );
}

/**
 * The per-resource rows of a sync status answer: an array (or the answer's first array field), or an object
 * keyed by resource, e.g. `{ resources: { orders: { state, rowsDone, ... } } }`.
 */
function syncRows(data: unknown): Row[] {
  const rows = rowsOf(data);
  if (rows.length > 0 || !data || typeof data !== 'object') return rows;
  const values = Object.values(data);
  const keyed = values.find((value) => value && typeof value === 'object' && !Array.isArray(value)) as
    Record<string, unknown> | undefined;
  const source =
    keyed && Object.values(keyed).every((value) => value && typeof value === 'object') ? keyed : data;
  return Object.entries(source)
    .filter(([, value]) => value && typeof value === 'object' && !Array.isArray(value))
    .map(([resource, value]) => ({ resource, ...(value as Row) }));
}

function SyncStatus({ store, manage }: { store: Store; manage: boolean }) {
  const sync = useApi<unknown>(`/tenants/${store.id}/sync`);
  const [message, setMessage] = useState<string | null>(null);
  const start = async () => {
    setMessage(null);
    try {
      await api(`/tenants/${store.id}/sync`, { method: 'POST', body: {} });
      setMessage('Sync started.');
      sync.reload();
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : 'The sync could not be started');
    }
  };
  return (
    <Card
      title="Sync status"
      actions={
        manage && (
          <Button className="button" onPress={() => void start()}>
            Sync now
          </Button>
        )
      }
    >
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      {sync.status === 'error' && sync.error.status === 404 ? (
        // The sync API is merged from another branch; until then this server has no such route.
        <p className="state state-empty">Sync status is not on this Shopsight server yet.</p>
      ) : (
        <Async
          resource={sync}
          isEmpty={(data) => syncRows(data).length === 0}
          empty="No sync has run for this store yet."
        >
          {(data) => (
            <ul className="sync-list">
              {syncRows(data).map((row, index) => (
                <SyncRow key={String(row.resource ?? index)} row={row} timeZone={store.timezone} />
              ))}
            </ul>
          )}
        </Async>
      )}
    </Card>
  );
}

function SyncRow({ row, timeZone }: { row: Row; timeZone: string }) {
  const done = Number(row.rowsDone ?? 0);
  const total = row.rowsTotal === null || row.rowsTotal === undefined ? null : Number(row.rowsTotal);
  const resource = humanize(String(row.resource ?? 'resource'));
  const eta =
    typeof row.eta === 'string'
      ? dateTime(row.eta, timeZone)
      : typeof row.eta === 'number'
        ? duration(row.eta)
        : null;
  return (
    <li className="sync-row">
      <ProgressBar
        className="progress"
        value={total ? done : 0}
        maxValue={total || 1}
        isIndeterminate={total === null && row.state === 'running'}
        valueLabel={total ? `${count(done)} of ${count(total)}` : `${count(done)} rows`}
      >
        {({ percentage, valueText }) => (
          <>
            <div className="progress-head">
              <Label className="progress-label">{resource}</Label>
              <span className={`badge badge-${String(row.state)}`}>
                {humanize(String(row.state ?? 'unknown'))}
              </span>
              <span className="progress-value">{valueText}</span>
            </div>
            <div className="progress-track">
              <div className="progress-fill" style={{ width: `${percentage ?? 0}%` }} />
            </div>
          </>
        )}
      </ProgressBar>
      <p className="sync-meta">
        {row.rate !== undefined && row.rate !== null && <span>{count(Number(row.rate))} rows/s</span>}
        {eta && <span>ETA {eta}</span>}
        {typeof row.lastError === 'string' && row.lastError && (
          <span className="error-text">Last error: {row.lastError}</span>
        )}
      </p>
    </li>
  );
}

function WebhookHealth({ store }: { store: Store }) {
  const health = useApi<WebhookHealthResponse>(`/tenants/${store.id}/webhooks/health`);
  return (
    <Card
      title="Webhook health"
      actions={
        <Button className="button button-plain" onPress={health.reload}>
          Refresh
        </Button>
      }
    >
      <Async resource={health}>
        {(data) => (
          <>
            <dl className="figures figures-row">
              <div>
                <dt>Received in the last hour</dt>
                <dd data-figure="received">
                  {count(
                    data.perMinute.reduce((sum, m) => sum + m.processed + m.skipped + m.pending + m.dead, 0),
                  )}
                </dd>
              </div>
              <div>
                <dt>Waiting for the worker</dt>
                <dd data-figure="pending">{count(data.pending.count)}</dd>
              </div>
              <div>
                <dt>Oldest waiting</dt>
                <dd>{duration(data.pending.oldestAgeSeconds)}</dd>
              </div>
              <div>
                <dt>Dead letters</dt>
                <dd data-figure="dead-letters">{count(data.deadLetters)}</dd>
              </div>
            </dl>
            <EventsChart data={data} timeZone={store.timezone} />
            <h3 className="subheading">Skipped in the last hour, by cause</h3>
            {Object.keys(data.skippedByCause).length === 0 ? (
              <p className="muted">Nothing skipped.</p>
            ) : (
              <ul className="chips">
                {Object.entries(data.skippedByCause).map(([cause, n]) => (
                  <li key={cause} className="chip">
                    {humanize(cause)}: <strong>{count(n)}</strong>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Async>
    </Card>
  );
}

function EventsChart({ data, timeZone }: { data: WebhookHealthResponse; timeZone: string }) {
  const option = useMemo(() => {
    const start = Date.parse(data.window.from);
    const byMinute = new Map(data.perMinute.map((m) => [Date.parse(m.minute), m]));
    const minutes = Array.from({ length: data.window.minutes }, (_, i) => start + i * 60_000);
    const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone });
    return {
      animation: false,
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: minutes.map((m) => time.format(m)), axisLabel: { color: '#6d7175' } },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#f1f2f3' } } },
      series: (Object.keys(STATUS_COLORS) as (keyof typeof STATUS_COLORS)[]).map((status) => ({
        name: humanize(status),
        type: 'bar',
        stack: 'events',
        itemStyle: { color: STATUS_COLORS[status] },
        data: minutes.map((m) => byMinute.get(m)?.[status] ?? 0),
      })),
    };
  }, [data, timeZone]);
  return (
    <Chart
      option={option}
      label="Webhook events received per minute over the last hour, by status"
      height={200}
    />
  );
}

function DeadLetters({ store, manage }: { store: Store; manage: boolean }) {
  const { params } = useLocation();
  const cursor = params.get('deadLettersCursor');
  const page = useApi<DeadLetterPageResponse>(
    `/tenants/${store.id}/dead-letters${query({ cursor, limit: 20 })}`,
  );
  const [message, setMessage] = useState<string | null>(null);
  const retry = async (id: string) => {
    setMessage(null);
    try {
      await api(`/tenants/${store.id}/dead-letters/${id}/retry`, { method: 'POST' });
      setMessage(`Event ${id} is queued again.`);
      page.reload();
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : 'The retry failed');
    }
  };
  return (
    <Card
      title="Dead letters"
      actions={<CsvLink path={`/tenants/${store.id}/dead-letters`} label="dead letters" />}
    >
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      <Async
        resource={page}
        isEmpty={(data) => data.rows.length === 0 && !cursor}
        empty="No dead letters: every delivery was processed."
      >
        {(data) => (
          <>
            <DataGrid
              label="Dead letters"
              rows={data.rows}
              rowKey={(row) => row.id}
              columns={[
                { id: 'id', label: 'Event', rowHeader: true, render: (row) => row.id },
                { id: 'topic', label: 'Topic', render: (row) => row.topic },
                {
                  id: 'error',
                  label: 'Error',
                  render: (row) => (
                    <span className="error-cell" title={row.error ?? undefined}>
                      {row.error ?? '—'}
                    </span>
                  ),
                },
                { id: 'attempts', label: 'Attempts', numeric: true, render: (row) => count(row.attempts) },
                {
                  id: 'receivedAt',
                  label: 'Received',
                  render: (row) => dateTime(row.receivedAt, store.timezone),
                },
                ...(manage
                  ? [
                      {
                        id: 'retry',
                        label: 'Action',
                        render: (row: DeadLetterPageResponse['rows'][number]) => (
                          <Button
                            className="button button-small"
                            aria-label={`Retry event ${row.id}`}
                            onPress={() => void retry(row.id)}
                          >
                            Retry
                          </Button>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
            {(data.nextCursor || cursor) && (
              <nav className="pagination" aria-label="Dead letter pages">
                <Button
                  className="button"
                  isDisabled={!cursor}
                  onPress={() => setParams({ deadLettersCursor: null })}
                >
                  Newest
                </Button>
                <Button
                  className="button"
                  isDisabled={!data.nextCursor}
                  onPress={() => setParams({ deadLettersCursor: data.nextCursor })}
                >
                  Older
                </Button>
              </nav>
            )}
          </>
        )}
      </Async>
    </Card>
  );
}

function Connection({ store, manage }: { store: Store; manage: boolean }) {
  const connection = useApi<ConnectionDto>(`/tenants/${store.id}/connection`);
  return (
    <Card title="Store connection">
      <Async resource={connection}>
        {(data) => (
          <>
            <dl className="figures figures-row">
              <div>
                <dt>Status</dt>
                <dd>
                  <span className={`badge badge-${data.status}`}>{humanize(data.status)}</span>
                </dd>
              </div>
              <div>
                <dt>Method</dt>
                <dd>{data.method ? humanize(data.method) : '—'}</dd>
              </div>
              <div>
                <dt>Installed</dt>
                <dd>{dateTime(data.installedAt, store.timezone)}</dd>
              </div>
            </dl>
            {manage && data.status !== 'connected' && (
              <ConnectForm store={store} onConnected={connection.reload} />
            )}
          </>
        )}
      </Async>
    </Card>
  );
}
