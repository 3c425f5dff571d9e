/**
 * Operations: sync status per resource from the sync API (src/sync/sync.routes.ts: progress, rate, ETA, the
 * last run's counts, last error; owners and admins start a backfill or an incremental sync; polled while a
 * run is active), webhook health (events per minute by status, skips by cause, backlog), dead letters with a
 * retry button, and the store connection. Owners and admins act; analysts see the same status read-only.
 */
import { useEffect, useMemo, useState } from 'react';
import { Button, Label, ProgressBar } from 'react-aria-components';
import type { ConnectionDto } from '../../../src/tenants/connection.routes.ts';
import type { DeadLetterPageResponse, WebhookHealthResponse } from '../../../src/ingest/health.routes.ts';
import type { ResourceStatus } from '../../../src/sync/sync.service.ts';
import type { SyncRequest, SyncStartResponse, SyncStatusResponse } from '../../../src/sync/sync.routes.ts';
import { api, ApiError, query, useApi } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { DataGrid, humanize } from '../components/report.tsx';
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

/** How often the status is fetched again while a sync is queued or running, ms. */
const SYNC_POLL_MS = 2000;
const ACTIVE_STATES = new Set(['queued', 'running']);
const ACTIVE_JOBS = new Set(['created', 'retry', 'active']);

/** Whether a resource is queued or running, or the queue still holds a job for the tenant. */
function syncActive(data: SyncStatusResponse): boolean {
  return (
    data.resources.some((row) => ACTIVE_STATES.has(row.state)) ||
    data.jobs.some((job) => ACTIVE_JOBS.has(job.state))
  );
}

function SyncStatus({ store, manage }: { store: Store; manage: boolean }) {
  const sync = useApi<SyncStatusResponse>(`/tenants/${store.id}/sync`);
  const [message, setMessage] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const active = sync.data !== undefined && syncActive(sync.data);
  const { reload } = sync;
  // Polls only while something is under way: an idle store costs no requests.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, SYNC_POLL_MS);
    return () => clearInterval(timer);
  }, [active, reload]);

  const start = async (mode: SyncRequest['mode']) => {
    setMessage(null);
    setStarting(true);
    try {
      await api<SyncStartResponse>(`/tenants/${store.id}/sync`, {
        method: 'POST',
        body: { mode } satisfies SyncRequest,
      });
      setMessage(mode === 'backfill' ? 'Backfill started.' : 'Sync started.');
      reload();
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : 'The sync could not be started');
    } finally {
      setStarting(false);
    }
  };
  const failedJobs = sync.data?.jobs.filter((job) => job.state === 'failed' || job.state === 'retry') ?? [];
  return (
    <Card
      title="Sync status"
      actions={
        manage && (
          <>
            <Button className="button" isDisabled={starting || active} onPress={() => void start('backfill')}>
              Backfill
            </Button>
            <Button
              className="button button-primary"
              isDisabled={starting || active}
              onPress={() => void start('incremental')}
            >
              Sync now
            </Button>
          </>
        )
      }
    >
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      <Async resource={sync}>
        {(data) => (
          <>
            <ul className="sync-list">
              {data.resources.map((row) => (
                <SyncRow key={row.resource} row={row} timeZone={store.timezone} />
              ))}
            </ul>
            {failedJobs.length > 0 && (
              <>
                <h3 className="subheading">Jobs that failed</h3>
                <ul className="sync-jobs">
                  {failedJobs.map((job) => (
                    <li key={job.id}>
                      {humanize(job.resource)} ({job.mode}), {job.state === 'retry' ? 'retrying' : 'failed'}{' '}
                      after {count(job.retryCount)} retries:{' '}
                      <span className="error-text">{job.error ?? 'no error recorded'}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </Async>
    </Card>
  );
}

/**
 * One resource: a progress bar (rows done of the total Shopify reported; indeterminate while the total is
 * unknown), its state and mode, rate and ETA while running, the last run's counts and the last error.
 */
function SyncRow({ row, timeZone }: { row: ResourceStatus; timeZone: string }) {
  const done = row.rowsDone;
  // A completed run without a reported total has done all there was.
  const total = row.rowsTotal ?? (row.state === 'completed' ? done : null);
  const running = ACTIVE_STATES.has(row.state);
  const run = row.lastRun;
  return (
    <li className="sync-row">
      <ProgressBar
        className="progress"
        value={total ? done : 0}
        maxValue={total || 1}
        isIndeterminate={total === null && running}
        valueLabel={
          row.state === 'idle'
            ? 'Not synced yet'
            : total !== null
              ? `${count(done)} of ${count(total)}`
              : `${count(done)} rows`
        }
      >
        {({ percentage, valueText }) => (
          <>
            <div className="progress-head">
              <Label className="progress-label">{humanize(row.resource)}</Label>
              <span className={`badge badge-${row.state}`} data-sync-state={row.state}>
                {humanize(row.state)}
              </span>
              {row.mode && <span className="muted">{humanize(row.mode)}</span>}
              <span className="progress-value">{valueText}</span>
            </div>
            <div className="progress-track">
              <div
                className={`progress-fill${total === null && running ? ' progress-indeterminate' : ''}`}
                style={{ width: `${total === null && running ? 100 : (percentage ?? 0)}%` }}
              />
            </div>
          </>
        )}
      </ProgressBar>
      <p className="sync-meta">
        {running && row.rate !== null && <span>{count(row.rate)} rows/s</span>}
        {running && row.etaSeconds !== null && <span>ETA {duration(row.etaSeconds)}</span>}
        {run && (
          <span data-sync-last-run={row.resource}>
            Last run ({humanize(run.mode).toLowerCase()}, {humanize(run.status).toLowerCase()}
            {run.finishedAt && `, ${dateTime(run.finishedAt, timeZone)}`}): {count(run.created)} created,{' '}
            {count(run.updated)} updated, {count(run.deleted)} deleted
          </span>
        )}
        {row.lastError && <span className="error-text">Last error: {row.lastError}</span>}
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
