/**
 * All stores: the range picker and each store's sales for the range (one summary call per store; money
 * stays in each store's own currency, so the chart compares stores of one currency at a time).
 */
import { useEffect, useMemo, useState } from 'react';
import type { SummaryResponse } from '../../../src/analytics/analytics.routes.ts';
import { api, ApiError, query } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { RangePicker } from '../components/RangePicker.tsx';
import { DataGrid } from '../components/report.tsx';
import { Card, ErrorState, Link, Loading, PageHeader } from '../components/ui.tsx';
import { count, money, moneyCompact, todayIn } from '../format.ts';
import { rangeFromParams } from '../range.ts';
import { navigate, useLocation } from '../router.ts';
import { useSession, type Store } from '../session.ts';

type Line = { store: Store; summary: SummaryResponse | null; error: ApiError | null };

export default function Overview() {
  const { stores } = useSession();
  const { params, href } = useLocation();
  // The overview's presets are read in the first store's zone; each store resolves the same dates.
  const zone = stores[0]?.timezone ?? 'UTC';
  const range = rangeFromParams(params, zone);
  const [lines, setLines] = useState<Line[] | null>(null);
  const carry = href.includes('?') ? href.slice(href.indexOf('?')) : '';

  useEffect(() => {
    const controller = new AbortController();
    const path = query({ from: range.from, to: range.to, compare: range.compare });
    void Promise.all(
      stores.map((store) =>
        api<SummaryResponse>(`/tenants/${store.id}/analytics/summary${path}`, {
          signal: controller.signal,
        }).then(
          (summary) => ({ store, summary, error: null }),
          (error: unknown) => ({
            store,
            summary: null,
            error: error instanceof ApiError ? error : new ApiError(0, 'network_error', 'unreachable'),
          }),
        ),
      ),
    ).then((result) => !controller.signal.aborted && setLines(result));
    return () => controller.abort();
  }, [stores, range.from, range.to, range.compare]);

  const currencies = useMemo(() => [...new Set(stores.map((s) => s.currency))], [stores]);
  return (
    <div className="page">
      <PageHeader
        title="All stores"
        actions={
          <Link to="/connect" className="button button-primary">
            Connect a store
          </Link>
        }
      />
      <RangePicker range={range} today={todayIn(zone)} />
      {lines === null ? (
        <Loading label="Loading stores" />
      ) : (
        <>
          {currencies.map((currency) => (
            <SalesChart
              key={currency}
              currency={currency}
              lines={lines.filter((l) => l.store.currency === currency)}
            />
          ))}
          <Card title="Sales per store">
            <DataGrid
              label="Sales per store"
              rows={lines}
              rowKey={(line) => line.store.id}
              onRowAction={(id) => navigate(`/stores/${id}${carry}`)}
              columns={[
                {
                  id: 'store',
                  label: 'Store',
                  rowHeader: true,
                  render: (line) => (
                    <span>
                      {line.store.name}
                      <span className="cell-detail">{line.store.shopDomain}</span>
                    </span>
                  ),
                },
                {
                  id: 'orders',
                  label: 'Orders',
                  numeric: true,
                  render: (line) => (line.summary ? count(line.summary.orders) : '—'),
                },
                {
                  id: 'netSales',
                  label: 'Net sales',
                  numeric: true,
                  render: (line) => (line.summary ? money(line.summary.netSales, line.store.currency) : '—'),
                },
                {
                  id: 'totalSales',
                  label: 'Total sales',
                  numeric: true,
                  render: (line) =>
                    line.summary ? (
                      money(line.summary.totalSales, line.store.currency)
                    ) : line.error ? (
                      <ErrorState error={line.error} />
                    ) : (
                      '—'
                    ),
                },
                {
                  id: 'change',
                  label: 'vs. compared',
                  numeric: true,
                  render: (line) => {
                    const percent = line.summary?.compare?.deltas.totalSales?.percent;
                    return percent === undefined || percent === null
                      ? '—'
                      : `${percent.startsWith('-') ? '' : '+'}${percent}%`;
                  },
                },
              ]}
            />
          </Card>
        </>
      )}
    </div>
  );
}

function SalesChart({ currency, lines }: { currency: string; lines: Line[] }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => money(String(v), currency) },
      xAxis: {
        type: 'value',
        axisLabel: { formatter: (v: number) => moneyCompact(v, currency) },
        splitLine: { lineStyle: { color: '#f1f2f3' } },
      },
      yAxis: { type: 'category', inverse: true, data: lines.map((l) => l.store.name) },
      series: [
        {
          type: 'bar',
          data: lines.map((l) => Number(l.summary?.totalSales ?? 0)),
          itemStyle: { color: '#008060' },
        },
      ],
    }),
    [lines, currency],
  );
  return (
    <Card title={`Total sales per store (${currency})`}>
      <Chart
        option={option}
        label={`Total sales per store in ${currency}`}
        height={Math.max(120, lines.length * 44)}
      />
    </Card>
  );
}
