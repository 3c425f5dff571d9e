/**
 * Inventory: stock on hand per variant and location with its sales over the last `days` (7, 30 or 90, in
 * the URL), days of cover, sell-through and stock value at cost, and the low-stock list (on hand at or
 * under the store's low stock threshold). GET /tenants/:id/analytics/inventory (src/analytics/inventory.ts
 * has the definitions); both tables have a CSV link.
 */
import type { InventoryResponse } from '../../../src/analytics/inventory.routes.ts';
import { query, useApi } from '../api.ts';
import { Picker } from '../components/RangePicker.tsx';
import { DataGrid, type ColumnSpec } from '../components/report.tsx';
import { Async, Card, CsvLink, Link, PageHeader } from '../components/ui.tsx';
import { count, money, percent } from '../format.ts';
import { setParams, useLocation } from '../router.ts';
import { canManage, type Store } from '../session.ts';

type InventoryRow = InventoryResponse['rows'][number];

const WINDOWS = [
  { id: '7', label: 'Sales of the last 7 days' },
  { id: '30', label: 'Sales of the last 30 days' },
  { id: '90', label: 'Sales of the last 90 days' },
] as const;

/** Rows shown on the page; the CSV has them all. */
const SHOWN = 50;

export default function Inventory({ store }: { store: Store }) {
  const { params } = useLocation();
  const days = WINDOWS.some((window) => window.id === params.get('days')) ? params.get('days')! : '30';
  const path = `/tenants/${store.id}/analytics/inventory${query({ days })}`;
  const report = useApi<InventoryResponse>(path);
  const lowStockPath = `/tenants/${store.id}/analytics/inventory${query({ days, low_stock_only: true })}`;
  const columns = inventoryColumns(store.currency);
  return (
    <div className="page">
      <PageHeader title="Inventory">
        <p className="subtitle">Stock on hand by variant and location, and how long it lasts</p>
      </PageHeader>
      <div className="toolbar">
        <Picker
          label="Sales window"
          selected={days}
          options={WINDOWS}
          onChange={(key) => setParams({ days: key })}
        />
      </div>
      <Async resource={report} loadingLabel="Loading inventory">
        {(data) => (
          <>
            <Card title="Stock">
              <dl className="figures">
                <div>
                  <dt>Variants</dt>
                  <dd>{count(data.totals.variants)}</dd>
                </div>
                <div>
                  <dt>Units on hand</dt>
                  <dd>{count(data.totals.onHand)}</dd>
                </div>
                <div>
                  <dt>Units sold in {data.window.days} days</dt>
                  <dd>{count(data.totals.unitsSold)}</dd>
                </div>
                <div>
                  <dt>Stock value at cost</dt>
                  <dd>{money(data.totals.stockValue, data.currency)}</dd>
                </div>
                <div>
                  <dt>Low stock</dt>
                  <dd data-figure="low-stock">{count(data.totals.lowStock)}</dd>
                </div>
              </dl>
            </Card>
            <Card
              title={`Low stock (${count(data.lowStockThreshold)} units or fewer)`}
              actions={<CsvLink path={lowStockPath} label="low stock" />}
            >
              <DataGrid
                label="Low stock"
                rows={data.lowStock}
                rowKey={rowKey}
                columns={columns}
                empty="Nothing is low on stock."
              />
              {canManage(store) && (
                <p className="help">
                  <Link to={`/stores/${store.id}/settings`}>Change the low stock threshold</Link>
                </p>
              )}
            </Card>
            <Card title="Stock by variant and location" actions={<CsvLink path={path} label="inventory" />}>
              <DataGrid
                label="Stock by variant and location"
                rows={data.rows.slice(0, SHOWN)}
                rowKey={rowKey}
                columns={columns}
                empty="No inventory yet: Shopsight fills it from inventory webhooks and syncs."
              />
              {data.rows.length > SHOWN && (
                <p className="help">
                  The first {count(SHOWN)} of {count(data.rows.length)} rows; the CSV has them all.
                </p>
              )}
            </Card>
          </>
        )}
      </Async>
    </div>
  );
}

const rowKey = (row: InventoryRow) => `${row.inventoryItemId}:${row.locationId}`;

function inventoryColumns(currency: string): ColumnSpec<InventoryRow>[] {
  return [
    {
      id: 'product',
      label: 'Product',
      rowHeader: true,
      render: (row) => [row.productTitle ?? row.productId, row.variantTitle].filter(Boolean).join(' · '),
    },
    { id: 'sku', label: 'SKU', render: (row) => row.sku ?? '—' },
    { id: 'location', label: 'Location', render: (row) => row.locationName ?? row.locationId },
    {
      id: 'onHand',
      label: 'On hand',
      numeric: true,
      render: (row) => (row.onHand === null ? 'Not tracked' : count(row.onHand)),
    },
    { id: 'unitsSold', label: 'Sold', numeric: true, render: (row) => count(row.unitsSold) },
    {
      id: 'daysOfCover',
      label: 'Days of cover',
      numeric: true,
      render: (row) => row.daysOfCover ?? '—',
    },
    {
      id: 'sellThroughRate',
      label: 'Sell-through',
      numeric: true,
      render: (row) => percent(row.sellThroughRate),
    },
    {
      id: 'stockValue',
      label: 'Stock value',
      numeric: true,
      render: (row) => money(row.stockValue, currency),
    },
  ];
}
