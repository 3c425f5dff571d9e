/**
 * The store dashboard: range picker with compare, KPI cards with deltas, sales and orders over time, top
 * customers and products, recent orders, checkout funnel and abandonment, refunds, cohort retention.
 * Every figure comes from one API answer (typed by the route's exported response type) and is only
 * formatted here; every report has its CSV link (the same path with `format=csv`).
 */
import { useMemo } from 'react';
import type {
  SalesOverTimeResponse,
  SummaryResponse,
  TopCustomersResponse,
  TopProductsResponse,
} from '../../../src/analytics/analytics.routes.ts';
import type { CheckoutsReportResponse } from '../../../src/analytics/checkouts.routes.ts';
import type {
  CohortsResponse,
  CustomersOverTimeResponse,
  OrdersOverTimeResponse,
  RecentOrdersResponse,
  RefundsResponse,
} from '../../../src/analytics/reports.routes.ts';
import { query, useApi, type Resource } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { RangePicker } from '../components/RangePicker.tsx';
import { DataGrid } from '../components/report.tsx';
import { Async, Card, CsvLink, Kpi, PageHeader, type Delta } from '../components/ui.tsx';
import { calendarDate, count, dateTime, fraction, money, moneyCompact, percent, todayIn } from '../format.ts';
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
  const series = { ...dates, interval, compare: range.compare };

  // The KPIs' reports first, alone: the embedded database answers one query at a time, so the other cards'
  // reports (all below the KPIs) are only requested once every KPI report has answered (or failed), and
  // do not queue in front of them. On a range change the KPIs again go first.
  const summary = useApi<SummaryResponse>(`${base}/summary${query({ ...dates, compare: range.compare })}`);
  const customersOverTimePath = `${base}/customers-over-time${query(series)}`;
  const customersOverTime = useApi<CustomersOverTimeResponse>(customersOverTimePath);
  const refundsPath = `${base}/refunds${query({ ...series, limit: 5 })}`;
  const refunds = useApi<RefundsResponse>(refundsPath);
  const checkoutsPath = `${base}/checkouts${query(series)}`;
  const checkouts = useApi<CheckoutsReportResponse>(checkoutsPath);
  const kpisIn = [summary, customersOverTime, refunds, checkouts].every((kpi) => kpi.status !== 'loading');
  const afterKpis = (path: string | null) => (kpisIn ? path : null);
  // The cards below that draw the KPIs' reports wait too: their charts would fetch and start ECharts
  // while the KPIs are still being computed.
  const shownAfterKpis = <T,>(resource: Resource<T>): Resource<T> =>
    kpisIn ? resource : { status: 'loading', data: undefined, error: undefined, reload: resource.reload };

  const salesPath = `${base}/sales-over-time${query({ ...dates, interval })}`;
  const sales = useApi<SalesOverTimeResponse>(afterKpis(salesPath));
  const compareRange = summary.data?.compare?.range;
  const previousSales = useApi<SalesOverTimeResponse>(
    afterKpis(
      range.compare && compareRange
        ? `${base}/sales-over-time${query({ from: compareRange.from, to: compareRange.to, interval })}`
        : null,
    ),
  );
  const ordersPath = `${base}/orders-over-time${query(series)}`;
  const orders = useApi<OrdersOverTimeResponse>(afterKpis(ordersPath));
  const customersPath = `${base}/top-customers${query({ ...dates, limit: 10 })}`;
  const productsPath = `${base}/top-products${query({ ...dates, limit: 10 })}`;
  const customers = useApi<TopCustomersResponse>(afterKpis(customersPath));
  const products = useApi<TopProductsResponse>(afterKpis(productsPath));
  const recentPath = `${base}/recent-orders${query({ ...dates, limit: 10 })}`;
  const recent = useApi<RecentOrdersResponse>(afterKpis(recentPath));
  const cohortsPath = `${base}/cohorts${query(dates)}`;
  const cohorts = useApi<CohortsResponse>(afterKpis(cohortsPath));

  const currency = store.currency;
  const timeZone = store.timezone;
  return (
    <div className="page">
      <PageHeader title={store.name}>
        <p className="subtitle">
          {store.shopDomain} · {timeZone} · {currency}
        </p>
      </PageHeader>
      <RangePicker range={range} today={today} />

      <Kpis
        summary={summary}
        customers={customersOverTime}
        refunds={refunds}
        checkouts={checkouts}
        currency={currency}
      />

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
        <Card title="Orders over time" actions={<CsvLink path={ordersPath} label="orders over time" />}>
          <Async resource={orders} isEmpty={(data) => data.rows.length === 0}>
            {(data) => (
              <SeriesChart
                label={`Orders per ${interval}`}
                rows={data.rows}
                previous={data.compare?.rows}
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
                    render: (row) => personName(row) ?? row.customerId,
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
        <Async
          resource={recent}
          isEmpty={(data) => data.orders.length === 0}
          empty="No orders in this range."
        >
          {(data) => (
            <DataGrid
              label="Recent orders"
              rows={data.orders}
              rowKey={(row) => row.id}
              columns={[
                { id: 'name', label: 'Order', rowHeader: true, render: (row) => row.name ?? row.id },
                { id: 'processedAt', label: 'Date', render: (row) => dateTime(row.processedAt, timeZone) },
                {
                  id: 'customer',
                  label: 'Customer',
                  render: (row) => (row.customer ? (personName(row.customer) ?? '—') : 'No customer'),
                },
                {
                  id: 'financialStatus',
                  label: 'Payment',
                  render: (row) => statusText(row.financialStatus, row.cancelledAt),
                },
                {
                  id: 'fulfillmentStatus',
                  label: 'Fulfillment',
                  render: (row) => statusText(row.fulfillmentStatus ?? 'unfulfilled'),
                },
                {
                  id: 'totalPrice',
                  label: 'Total',
                  numeric: true,
                  render: (row) => money(row.totalPrice, row.currency ?? currency),
                },
              ]}
              onRowAction={(key) => navigate(`/stores/${store.id}/orders/${encodeURIComponent(key)}`)}
            />
          )}
        </Async>
      </Card>

      <div className="grid-2">
        <Card
          title="Checkout funnel and abandonment"
          actions={<CsvLink path={checkoutsPath} label="checkouts" />}
        >
          <Async
            resource={shownAfterKpis(checkouts)}
            isEmpty={(data) => data.totals.started === 0}
            empty="No checkouts started in this range."
          >
            {(data) => <Funnel data={data} currency={currency} />}
          </Async>
        </Card>
        <Card title="Refunds" actions={<CsvLink path={refundsPath} label="refunds" />}>
          <Async resource={shownAfterKpis(refunds)}>
            {(data) => <Refunds data={data} currency={currency} />}
          </Async>
        </Card>
      </div>

      <Card
        title="New and returning customers"
        actions={<CsvLink path={customersOverTimePath} label="customers over time" />}
      >
        <Async resource={shownAfterKpis(customersOverTime)} isEmpty={(data) => data.totals.customers === 0}>
          {(data) => <CustomersChart data={data} />}
        </Async>
      </Card>

      <Card title="Customer cohort retention" actions={<CsvLink path={cohortsPath} label="cohorts" />}>
        <Async
          resource={cohorts}
          isEmpty={(data) => data.cohorts.length === 0}
          empty="No customer placed a first order in this range."
        >
          {(data) => <CohortHeatmap data={data} currency={currency} />}
        </Async>
      </Card>
    </div>
  );
}

/** `First Last`, else the email; undefined when the customer has neither. */
function personName(person: {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
}): string | undefined {
  return [person.firstName, person.lastName].filter(Boolean).join(' ') || person.email || undefined;
}

/** Shopify's status words (`partially_refunded`) as text; a cancelled order says so. */
function statusText(status: string | null, cancelledAt?: string | null): string {
  const text = status ? status.replace(/_/g, ' ') : '—';
  const words = text.charAt(0).toUpperCase() + text.slice(1);
  return cancelledAt ? `${words} (cancelled)` : words;
}

function Kpis({
  summary,
  customers,
  refunds,
  checkouts,
  currency,
}: {
  summary: Resource<SummaryResponse>;
  customers: Resource<CustomersOverTimeResponse>;
  refunds: Resource<RefundsResponse>;
  checkouts: Resource<CheckoutsReportResponse>;
  currency: string;
}) {
  return (
    <Card title="Key figures" className="kpi-card">
      <Async resource={summary} loadingLabel="Loading key figures">
        {(data) => {
          const deltas = data.compare?.deltas ?? {};
          const d = (field: string): Delta => deltas[field];
          const people = customers.data?.totals;
          const refundTotals = refunds.data?.totals;
          const conversion = checkouts.data?.totals;
          const previousConversion = checkouts.data?.compare?.totals.conversionRate;
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
                value={
                  people ? `${count(people.firstTimeCustomers)} / ${count(people.returningCustomers)}` : '—'
                }
                delta={customers.data?.compare?.deltas.firstTimeCustomers}
                detail={
                  people
                    ? `returning customer rate ${percent(people.returningCustomerRate)}`
                    : pending(customers)
                }
              />
              <Kpi
                id="refundRate"
                label="Refund rate"
                value={refundTotals ? percent(refundTotals.refundRate) : '—'}
                delta={refunds.data?.compare?.deltas.refundRate}
                goodWhenUp={false}
                detail={
                  refundTotals
                    ? `${count(refundTotals.refundedOrders)} of ${count(refundTotals.orders)} orders refunded`
                    : pending(refunds)
                }
              />
              <Kpi
                id="conversion"
                label="Checkout conversion"
                value={conversion ? fraction(conversion.conversionRate) : '—'}
                detail={
                  conversion
                    ? previousConversion !== undefined
                      ? `compared range ${fraction(previousConversion)}`
                      : `${count(conversion.completed)} of ${count(conversion.started)} checkouts completed`
                    : pending(checkouts)
                }
              />
            </div>
          );
        }}
      </Async>
    </Card>
  );
}

/** The foot of a KPI whose report has not answered (yet). */
function pending(resource: Resource<unknown>) {
  return resource.status === 'error' ? resource.error.message : 'loading…';
}

/** A series over time, with the compared range's series dashed when there is one. */
function SeriesChart<SeriesRow extends { date: string }>({
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

/** Customers per bucket, stacked: first-time (their first order ever) and returning. */
function CustomersChart({ data }: { data: CustomersOverTimeResponse }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
      legend: { top: 0, right: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: data.rows.map((row) => calendarDate(row.date)),
        axisLabel: { color: '#6d7175' },
      },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#f1f2f3' } } },
      series: [
        {
          name: 'First-time',
          type: 'bar',
          stack: 'customers',
          data: data.rows.map((row) => row.firstTimeCustomers),
          itemStyle: { color: GREEN },
        },
        {
          name: 'Returning',
          type: 'bar',
          stack: 'customers',
          data: data.rows.map((row) => row.returningCustomers),
          itemStyle: { color: '#2c6ecb' },
        },
      ],
    }),
    [data],
  );
  const { totals } = data;
  return (
    <Chart
      option={option}
      height={220}
      label={`Customers per ${data.interval}: ${count(totals.firstTimeCustomers)} first-time and ${count(totals.returningCustomers)} returning in the range`}
    />
  );
}

/** A definition list of labelled figures. */
function Figures({ items }: { items: [label: string, value: string][] }) {
  return (
    <dl className="figures">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The checkout funnel of the checkouts started in the range: started, then completed (before the
 * abandonment threshold), abandoned (recovered included) and recovered; then rates and values.
 */
function Funnel({ data, currency }: { data: CheckoutsReportResponse; currency: string }) {
  const { totals } = data;
  const option = useMemo(() => {
    const steps: [string, number][] = [
      ['Started', totals.started],
      ['Completed', totals.completed],
      ['Abandoned', totals.abandoned],
      ['Recovered', totals.recovered],
      ['Still open', totals.open],
    ];
    return {
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#f1f2f3' } } },
      yAxis: { type: 'category', inverse: true, data: steps.map(([label]) => label) },
      series: [{ type: 'bar', data: steps.map(([, value]) => value), itemStyle: { color: GREEN } }],
    };
  }, [totals]);
  return (
    <>
      <Chart
        option={option}
        height={200}
        label={`Checkout funnel: ${count(totals.started)} started, ${count(totals.completed)} completed, ${count(totals.abandoned)} abandoned, ${count(totals.recovered)} recovered`}
      />
      <Figures
        items={[
          ['Conversion rate', fraction(totals.conversionRate)],
          ['Abandonment rate', fraction(totals.abandonmentRate)],
          ['Abandoned value', money(totals.abandonedValue, currency)],
          ['Recovered value', money(totals.recoveredValue, currency)],
          ['Abandoned after', `${count(data.thresholdMinutes)} min without activity`],
        ]}
      />
    </>
  );
}

/** Refund figures of the range, refunds over time, and the most refunded products. */
function Refunds({ data, currency }: { data: RefundsResponse; currency: string }) {
  const { totals } = data;
  return (
    <>
      <Figures
        items={[
          ['Refunds', count(totals.refunds)],
          ['Amount refunded', money(totals.amountRefunded, currency)],
          ['Returns', money(totals.returns, currency)],
          ['Refunded shipping', money(totals.refundedShipping, currency)],
          ['Refunded taxes', money(totals.refundedTaxes, currency)],
          ['Refund rate', percent(totals.refundRate)],
        ]}
      />
      {totals.refunds > 0 && (
        <SeriesChart
          label={`Amount refunded per ${data.interval}`}
          rows={data.rows}
          previous={data.compare?.rows}
          value={(row) => Number(row.amountRefunded)}
          axis={(value) => moneyCompact(value, currency)}
          kind="bar"
        />
      )}
      {data.products.length > 0 && (
        <DataGrid
          label="Most refunded products"
          rows={data.products}
          rowKey={(row, index) => row.productId ?? `row-${index}`}
          columns={[
            { id: 'title', label: 'Product', rowHeader: true, render: (row) => row.title ?? 'Custom item' },
            {
              id: 'unitsRefunded',
              label: 'Units',
              numeric: true,
              render: (row) => count(row.unitsRefunded),
            },
            {
              id: 'amountRefunded',
              label: 'Refunded',
              numeric: true,
              render: (row) => money(row.amountRefunded, currency),
            },
          ]}
        />
      )}
    </>
  );
}

/**
 * Cohort retention heat map: one row per month of first orders, one column per month since; a cell is the
 * share of the cohort that ordered again that month (the API's `retention`, percent). A month not observed
 * yet (after the range) stays blank.
 */
function CohortHeatmap({ data, currency }: { data: CohortsResponse; currency: string }) {
  const width = Math.max(0, ...data.cohorts.map((cohort) => cohort.months.length));
  return (
    <div className="table-scroll">
      <table className="table heatmap">
        <caption className="visually-hidden">
          Share of each cohort ordering again, by month since the first order
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
                <span className="visually-hidden">Month </span>
                {index}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.cohorts.map((cohort) => (
            <tr key={cohort.cohort} className="tr">
              <th scope="row" className="td">
                {cohort.cohort}
              </th>
              <td className="td numeric">{count(cohort.customers)}</td>
              {Array.from({ length: width }, (_, index) => {
                const cell = cohort.months[index];
                const share = cell?.retention == null ? undefined : Number(cell.retention) / 100;
                return (
                  <td
                    key={index}
                    className="td numeric heat"
                    title={
                      cell?.retention == null
                        ? undefined
                        : `${count(cell.returningCustomers)} returning, net sales ${money(cell.netSales, currency)}`
                    }
                    // At most 66% green under the page's text colour keeps a contrast above 4.5:1 (WCAG AA).
                    style={
                      share === undefined
                        ? undefined
                        : { background: `rgba(0,128,96,${(0.06 + Math.min(share, 1) * 0.6).toFixed(3)})` }
                    }
                  >
                    {cell?.retention == null ? '' : percent(cell.retention, 0)}
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
