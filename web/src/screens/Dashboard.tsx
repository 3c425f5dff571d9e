/**
 * The store dashboard: range picker with compare, KPI cards with deltas, sales and orders over time, top
 * customers and products, recent orders, checkout funnel and abandonment, refunds, cohort retention.
 * Every figure comes from one API answer and is only formatted here; every report has its CSV link.
 */
import { useMemo } from 'react';
import type {
  SalesOverTimeResponse,
  SummaryResponse,
  TopCustomersResponse,
  TopProductsResponse,
} from '../../../src/analytics/analytics.routes.ts';
import { query, useApi, type Resource } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { RangePicker } from '../components/RangePicker.tsx';
import { DataGrid, formatField, humanize, inferColumns, rowsOf, type Row } from '../components/report.tsx';
import { Async, Card, CsvLink, Kpi, PageHeader, type Delta } from '../components/ui.tsx';
import { calendarDate, count, money, moneyCompact, percent, todayIn } from '../format.ts';
import { intervalFor, rangeFromParams } from '../range.ts';
import { navigate, useLocation } from '../router.ts';
import type { Store } from '../session.ts';

const GREEN = '#008060';
const GREY = '#8c9196';

export default function Dashboard({ store }: { store: Store }) {
  const { params } = useLocation();
  const today = todayIn(store.timezone);
  const range = rangeFromParams(params, store.timezone);
  const interval = intervalFor(range);
  const base = `/tenants/${store.id}/analytics`;
  const dates = { from: range.from, to: range.to };

  const summary = useApi<SummaryResponse>(`${base}/summary${query({ ...dates, compare: range.compare })}`);
  const salesPath = `${base}/sales-over-time${query({ ...dates, interval })}`;
  const sales = useApi<SalesOverTimeResponse>(salesPath);
  const compareRange = summary.data?.compare?.range;
  const previousSales = useApi<SalesOverTimeResponse>(
    range.compare && compareRange
      ? `${base}/sales-over-time${query({ from: compareRange.from, to: compareRange.to, interval })}`
      : null,
  );
  const customersPath = `${base}/top-customers${query({ ...dates, limit: 10 })}`;
  const productsPath = `${base}/top-products${query({ ...dates, limit: 10 })}`;
  const customers = useApi<TopCustomersResponse>(customersPath);
  const products = useApi<TopProductsResponse>(productsPath);
  const recentPath = `${base}/recent-orders${query({ limit: 10 })}`;
  const recent = useApi<unknown>(recentPath);
  const checkoutsPath = `${base}/checkouts${query(dates)}`;
  const checkouts = useApi<Record<string, unknown>>(checkoutsPath);
  const refundsPath = `${base}/refunds${query(dates)}`;
  const refunds = useApi<Record<string, unknown>>(refundsPath);
  const cohortsPath = `${base}/cohorts${query(dates)}`;
  const cohorts = useApi<unknown>(cohortsPath);

  const currency = store.currency;
  return (
    <div className="page">
      <PageHeader title={store.name}>
        <p className="subtitle">
          {store.shopDomain} · {store.timezone} · {currency}
        </p>
      </PageHeader>
      <RangePicker range={range} today={today} />

      <Kpis summary={summary} refunds={refunds} checkouts={checkouts} currency={currency} />

      <div className="grid-2">
        <Card title="Sales over time" actions={<CsvLink path={salesPath} label="sales over time" />}>
          <Async resource={sales} isEmpty={(data) => data.rows.length === 0}>
            {(data) => (
              <SeriesChart
                label={`Total sales per ${interval}`}
                rows={data.rows}
                previous={previousSales.data?.rows}
                value={(row) => Number(row.totalSales)}
                axis={(value) => moneyCompact(value, currency)}
                kind="line"
              />
            )}
          </Async>
        </Card>
        <Card title="Orders over time" actions={<CsvLink path={salesPath} label="orders over time" />}>
          <Async resource={sales} isEmpty={(data) => data.rows.length === 0}>
            {(data) => (
              <SeriesChart
                label={`Orders per ${interval}`}
                rows={data.rows}
                previous={previousSales.data?.rows}
                value={(row) => row.orders}
                axis={(value) => count(value)}
                kind="bar"
              />
            )}
          </Async>
        </Card>
      </div>

      <div className="grid-2">
        <Card title="Top customers" actions={<CsvLink path={customersPath} label="top customers" />}>
          <Async
            resource={customers}
            isEmpty={(data) => data.customers.length === 0}
            empty="No customers bought in this range."
          >
            {(data) => (
              <DataGrid
                label="Top customers"
                rows={data.customers}
                rowKey={(row) => row.customerId}
                columns={[
                  {
                    id: 'customer',
                    label: 'Customer',
                    rowHeader: true,
                    render: (row) =>
                      [row.firstName, row.lastName].filter(Boolean).join(' ') || row.email || row.customerId,
                  },
                  { id: 'orders', label: 'Orders', numeric: true, render: (row) => count(row.orders) },
                  {
                    id: 'netSales',
                    label: 'Net sales',
                    numeric: true,
                    render: (row) => money(row.netSales, currency),
                  },
                ]}
              />
            )}
          </Async>
        </Card>
        <Card title="Top products" actions={<CsvLink path={productsPath} label="top products" />}>
          <Async
            resource={products}
            isEmpty={(data) => data.products.length === 0}
            empty="No products sold in this range."
          >
            {(data) => (
              <DataGrid
                label="Top products"
                rows={data.products}
                rowKey={(row, index) => row.productId ?? `row-${index}`}
                columns={[
                  {
                    id: 'title',
                    label: 'Product',
                    rowHeader: true,
                    render: (row) => row.title ?? 'Custom item',
                  },
                  { id: 'unitsSold', label: 'Units', numeric: true, render: (row) => count(row.unitsSold) },
                  {
                    id: 'netSales',
                    label: 'Net sales',
                    numeric: true,
                    render: (row) => money(row.netSales, currency),
                  },
                ]}
              />
            )}
          </Async>
        </Card>
      </div>

      <Card title="Recent orders" actions={<CsvLink path={recentPath} label="recent orders" />}>
        <Async resource={recent} isEmpty={(data) => rowsOf(data).length === 0} empty="No orders yet.">
          {(data) => {
            const rows = rowsOf(data);
            return (
              <DataGrid
                label="Recent orders"
                rows={rows}
                rowKey={(row, index) => String(row.id ?? row.orderId ?? index)}
                columns={inferColumns(rows, currency, store.timezone, [
                  'name',
                  'createdAt',
                  'processedAt',
                  'customer',
                  'email',
                  'financialStatus',
                  'totalPrice',
                ])}
                onRowAction={(key) => navigate(`/stores/${store.id}/orders/${encodeURIComponent(key)}`)}
              />
            );
          }}
        </Async>
      </Card>

      <div className="grid-2">
        <Card
          title="Checkout funnel and abandonment"
          actions={<CsvLink path={checkoutsPath} label="checkouts" />}
        >
          <Async resource={checkouts}>
            {(data) => <Funnel data={data} currency={currency} timeZone={store.timezone} />}
          </Async>
        </Card>
        <Card title="Refunds" actions={<CsvLink path={refundsPath} label="refunds" />}>
          <Async resource={refunds}>
            {(data) => <Figures data={data} currency={currency} timeZone={store.timezone} label="Refunds" />}
          </Async>
        </Card>
      </div>

      <Card title="Customer cohort retention" actions={<CsvLink path={cohortsPath} label="cohorts" />}>
        <Async
          resource={cohorts}
          isEmpty={(data) => rowsOf(data).length === 0}
          empty="No cohorts in this range."
        >
          {(data) => <CohortHeatmap rows={rowsOf(data)} />}
        </Async>
      </Card>
    </div>
  );
}

function Kpis({
  summary,
  refunds,
  checkouts,
  currency,
}: {
  summary: Resource<SummaryResponse>;
  refunds: Resource<Record<string, unknown>>;
  checkouts: Resource<Record<string, unknown>>;
  currency: string;
}) {
  return (
    <Card title="Key figures" className="kpi-card">
      <Async resource={summary} loadingLabel="Loading key figures">
        {(data) => {
          const deltas = data.compare?.deltas ?? {};
          const d = (field: string): Delta => deltas[field];
          const returning = data.customers - data.newCustomers;
          const previousReturning = data.compare
            ? data.compare.customers - data.compare.newCustomers
            : undefined;
          const refundRate = rate(refunds.data, ['refundRate', 'refundRatePercent']);
          const conversion = rate(checkouts.data, ['conversionRate', 'conversionRatePercent']);
          return (
            <div className="kpis">
              <Kpi
                id="totalSales"
                label="Total sales"
                value={money(data.totalSales, currency)}
                delta={d('totalSales')}
              />
              <Kpi
                id="netSales"
                label="Net sales"
                value={money(data.netSales, currency)}
                delta={d('netSales')}
              />
              <Kpi id="orders" label="Orders" value={count(data.orders)} delta={d('orders')} />
              <Kpi
                id="averageOrderValue"
                label="Average order value"
                value={money(data.averageOrderValue, currency)}
                delta={d('averageOrderValue')}
              />
              <Kpi
                id="customers"
                label="New vs returning customers"
                value={`${count(data.newCustomers)} / ${count(returning)}`}
                delta={d('newCustomers')}
                detail={
                  previousReturning !== undefined
                    ? `returning before: ${count(previousReturning)}`
                    : `${count(data.customers)} customers`
                }
              />
              <Kpi
                id="refundRate"
                label="Refund rate"
                value={refundRate === null ? '—' : percent(refundRate)}
                goodWhenUp={false}
                detail={
                  refundRate === null ? unavailable(refunds) : `returns ${money(data.returns, currency)}`
                }
              />
              <Kpi
                id="conversion"
                label="Checkout conversion"
                value={conversion === null ? '—' : percent(conversion)}
                detail={conversion === null ? unavailable(checkouts) : 'completed / started checkouts'}
              />
            </div>
          );
        }}
      </Async>
    </Card>
  );
}

function unavailable(resource: Resource<unknown>) {
  if (resource.status === 'loading') return 'loading…';
  if (resource.status === 'error')
    return resource.error.status === 404 ? 'report not available yet' : resource.error.message;
  return 'not reported';
}

/** A rate field in percent units from a report answer, when it has one. */
function rate(data: Record<string, unknown> | undefined, fields: string[]): string | null {
  for (const field of fields) {
    const value = data?.[field];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return null;
}

type SeriesRow = SalesOverTimeResponse['rows'][number];

function SeriesChart({
  label,
  rows,
  previous,
  value,
  axis,
  kind,
}: {
  label: string;
  rows: SeriesRow[];
  previous: SeriesRow[] | undefined;
  value: (row: SeriesRow) => number;
  axis: (value: number) => string;
  kind: 'line' | 'bar';
}) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
      legend: previous ? { top: 0, right: 0, data: ['This range', 'Compared range'] } : undefined,
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => axis(Number(v)) },
      xAxis: {
        type: 'category',
        data: rows.map((row) => calendarDate(row.date)),
        axisLine: { lineStyle: { color: '#c9cccf' } },
        axisLabel: { color: '#6d7175' },
      },
      yAxis: {
        type: 'value',
        axisLabel: { color: '#6d7175', formatter: (v: number) => axis(v) },
        splitLine: { lineStyle: { color: '#f1f2f3' } },
      },
      series: [
        {
          name: 'This range',
          type: kind,
          data: rows.map(value),
          itemStyle: { color: GREEN },
          showSymbol: false,
          smooth: kind === 'line',
          areaStyle: kind === 'line' ? { color: 'rgba(0,128,96,0.08)' } : undefined,
        },
        ...(previous
          ? [
              {
                name: 'Compared range',
                type: kind,
                data: previous.map(value),
                itemStyle: { color: GREY },
                lineStyle: { type: 'dashed' },
                showSymbol: false,
              },
            ]
          : []),
      ],
    }),
    [rows, previous, value, axis, kind],
  );
  const total = rows.reduce((sum, row) => sum + value(row), 0);
  return <Chart option={option} label={`${label}: ${rows.length} points, sum ${axis(total)}`} />;
}

/** Scalar figures of a report answer as a definition list (money, counts and times formatted). */
function Figures({
  data,
  currency,
  timeZone,
  label,
}: {
  data: Record<string, unknown>;
  currency: string;
  timeZone: string;
  label: string;
}) {
  const entries = Object.entries(data).filter(
    ([key, value]) => value !== null && typeof value !== 'object' && key !== 'currency',
  );
  const rows = rowsOf(data);
  if (entries.length === 0 && rows.length === 0)
    return <div className="state state-empty">No {label.toLowerCase()} in this range.</div>;
  return (
    <>
      <dl className="figures">
        {entries.map(([key, value]) => (
          <div key={key}>
            <dt>{humanize(key)}</dt>
            <dd>
              {/rate|percent/i.test(key)
                ? percent(String(value))
                : formatField(key, value, currency, timeZone)}
            </dd>
          </div>
        ))}
      </dl>
      {rows.length > 0 && (
        <DataGrid
          label={label}
          rows={rows.slice(0, 10)}
          rowKey={(row, index) => String(row.id ?? row.date ?? index)}
          columns={inferColumns(rows, currency, timeZone)}
        />
      )}
    </>
  );
}

/** The checkout funnel: each step's count as a horizontal bar, then the answer's other figures. */
function Funnel({
  data,
  currency,
  timeZone,
}: {
  data: Record<string, unknown>;
  currency: string;
  timeZone: string;
}) {
  const steps = rowsOf(data).filter(
    (row) => typeof row.count === 'number' || typeof row.checkouts === 'number',
  );
  const option = useMemo(() => {
    const labels = steps.map((row) => humanize(String(row.step ?? row.name ?? row.label ?? '')));
    return {
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', splitLine: { lineStyle: { color: '#f1f2f3' } } },
      yAxis: { type: 'category', inverse: true, data: labels },
      series: [
        {
          type: 'bar',
          data: steps.map((row) => Number(row.count ?? row.checkouts)),
          itemStyle: { color: GREEN },
        },
      ],
    };
  }, [steps]);
  const scalars = Object.fromEntries(Object.entries(data).filter(([, value]) => !Array.isArray(value)));
  return (
    <>
      {steps.length > 0 && <Chart option={option} label="Checkout funnel" height={200} />}
      <Figures data={scalars} currency={currency} timeZone={timeZone} label="Checkouts" />
    </>
  );
}

/**
 * Cohort retention heat map: one row per first-order cohort, one column per period since; cells are the
 * share of the cohort that ordered again (the answer's `retention` array, in percent or as a fraction).
 */
function CohortHeatmap({ rows }: { rows: Row[] }) {
  const cohorts = rows.map((row) => ({
    label: String(row.cohort ?? row.period ?? row.month ?? ''),
    size: Number(row.size ?? row.customers ?? 0),
    values: (Array.isArray(row.retention)
      ? row.retention
      : Array.isArray(row.periods)
        ? row.periods
        : []
    ).map((cell) =>
      Number(
        typeof cell === 'object' && cell !== null ? ((cell as Row).percent ?? (cell as Row).rate ?? 0) : cell,
      ),
    ),
  }));
  const width = Math.max(0, ...cohorts.map((cohort) => cohort.values.length));
  const scale = cohorts.some((cohort) => cohort.values.some((value) => value > 1)) ? 100 : 1;
  if (width === 0)
    return (
      <DataGrid
        label="Cohorts"
        rows={rows}
        rowKey={(_row, index) => String(index)}
        columns={inferColumns(rows, 'USD', 'UTC')}
      />
    );
  return (
    <div className="table-scroll">
      <table className="table heatmap">
        <caption className="visually-hidden">
          Share of each cohort ordering again, by period since first order
        </caption>
        <thead>
          <tr>
            <th scope="col" className="th">
              Cohort
            </th>
            <th scope="col" className="th numeric">
              Customers
            </th>
            {Array.from({ length: width }, (_, index) => (
              <th scope="col" key={index} className="th numeric">
                {index}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cohorts.map((cohort) => (
            <tr key={cohort.label} className="tr">
              <th scope="row" className="td">
                {cohort.label}
              </th>
              <td className="td numeric">{count(cohort.size)}</td>
              {Array.from({ length: width }, (_, index) => {
                const value = cohort.values[index];
                const share = value === undefined ? undefined : value / scale;
                return (
                  <td
                    key={index}
                    className="td numeric heat"
                    style={
                      share === undefined
                        ? undefined
                        : {
                            background: `rgba(0,128,96,${0.08 + share * 0.85})`,
                            color: share > 0.45 ? '#fff' : undefined,
                          }
                    }
                  >
                    {share === undefined ? '' : percent(share * 100, 0)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
