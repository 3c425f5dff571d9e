/** An order's detail view: GET /tenants/:id/orders/:orderId (src/data/data.routes.ts). */
import type { OrderDetailResponse } from '../../../src/data/data.routes.ts';
import { useApi } from '../api.ts';
import { DataGrid } from '../components/report.tsx';
import { Async, Card, Link, PageHeader } from '../components/ui.tsx';
import { count, dateTime, money } from '../format.ts';
import type { Store } from '../session.ts';

const words = (value: string | null) =>
  value ? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ') : '—';

export default function OrderDetail({ store, orderId }: { store: Store; orderId: string }) {
  const order = useApi<OrderDetailResponse>(`/tenants/${store.id}/orders/${encodeURIComponent(orderId)}`);
  const { timezone } = store;
  return (
    <div className="page">
      <p>
        <Link to={`/stores/${store.id}/orders`}>← Orders</Link>
      </p>
      <Async resource={order} loadingLabel="Loading the order">
        {(data) => {
          const currency = data.currency ?? store.currency;
          const customer = data.customer;
          const figures: [string, string][] = [
            ['Processed', dateTime(data.processedAt, timezone)],
            [
              'Customer',
              customer
                ? [customer.firstName, customer.lastName].filter(Boolean).join(' ') ||
                  customer.email ||
                  customer.id
                : (data.email ?? 'No customer'),
            ],
            ['Payment', words(data.financialStatus)],
            ['Fulfillment', words(data.fulfillmentStatus ?? 'unfulfilled')],
            ...(data.cancelledAt
              ? ([['Cancelled', `${dateTime(data.cancelledAt, timezone)} (${words(data.cancelReason)})`]] as [
                  string,
                  string,
                ][])
              : []),
            ['Gross sales', money(data.grossSales, currency)],
            ['Discounts', money(data.discounts, currency)],
            ['Shipping', money(data.shipping, currency)],
            ['Taxes', money(data.taxes, currency)],
            ['Duties', money(data.duties, currency)],
            ['Total', money(data.totalPrice, currency)],
            ['Checkout', data.checkout ? words(data.checkout.status) : '—'],
          ];
          return (
            <>
              <PageHeader title={`Order ${data.name ?? orderId}`} />
              <Card title="Summary">
                <dl className="figures">
                  {figures.map(([label, value]) => (
                    <div key={label}>
                      <dt>{label}</dt>
                      <dd>{value}</dd>
                    </div>
                  ))}
                </dl>
              </Card>
              <Card title="Line items">
                <DataGrid
                  label="Line items"
                  rows={data.lineItems}
                  rowKey={(row) => row.id}
                  columns={[
                    { id: 'title', label: 'Product', rowHeader: true, render: (row) => row.title ?? '—' },
                    { id: 'variantTitle', label: 'Variant', render: (row) => row.variantTitle ?? '—' },
                    { id: 'sku', label: 'SKU', render: (row) => row.sku ?? '—' },
                    {
                      id: 'quantity',
                      label: 'Quantity',
                      numeric: true,
                      render: (row) => count(row.quantity),
                    },
                    {
                      id: 'price',
                      label: 'Price',
                      numeric: true,
                      render: (row) => money(row.price, currency),
                    },
                    {
                      id: 'discounts',
                      label: 'Discounts',
                      numeric: true,
                      render: (row) => money(row.discounts, currency),
                    },
                  ]}
                />
              </Card>
              {data.refunds.length > 0 && (
                <Card title="Refunds">
                  <DataGrid
                    label="Refunds"
                    rows={data.refunds}
                    rowKey={(row) => row.id}
                    columns={[
                      {
                        id: 'processedAt',
                        label: 'Processed',
                        rowHeader: true,
                        render: (row) => dateTime(row.processedAt ?? row.createdAt, timezone),
                      },
                      {
                        id: 'items',
                        label: 'Items',
                        numeric: true,
                        render: (row) => count(row.lineItems.reduce((sum, item) => sum + item.quantity, 0)),
                      },
                      {
                        id: 'returns',
                        label: 'Returns',
                        numeric: true,
                        render: (row) => money(row.returns, currency),
                      },
                      {
                        id: 'refundedShipping',
                        label: 'Shipping',
                        numeric: true,
                        render: (row) => money(row.refundedShipping, currency),
                      },
                      {
                        id: 'refundedTaxes',
                        label: 'Taxes',
                        numeric: true,
                        render: (row) => money(row.refundedTaxes, currency),
                      },
                      { id: 'note', label: 'Note', render: (row) => row.note ?? '—' },
                    ]}
                  />
                </Card>
              )}
            </>
          );
        }}
      </Async>
    </div>
  );
}
