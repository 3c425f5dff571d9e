/** An order's detail view: GET /tenants/:id/orders/:orderId (API from the lists branch). */
import { useApi } from '../api.ts';
import { DataGrid, formatField, humanize, inferColumns, type Row } from '../components/report.tsx';
import { Async, Card, Link, PageHeader } from '../components/ui.tsx';
import type { Store } from '../session.ts';

export default function OrderDetail({ store, orderId }: { store: Store; orderId: string }) {
  const order = useApi<Row>(`/tenants/${store.id}/orders/${encodeURIComponent(orderId)}`);
  return (
    <div className="page">
      <p>
        <Link to={`/stores/${store.id}/orders`}>← Orders</Link>
      </p>
      <Async resource={order} loadingLabel="Loading the order">
        {(data) => {
          const scalars = Object.entries(data).filter(
            ([, value]) => value === null || typeof value !== 'object',
          );
          const lists = Object.entries(data).filter(
            ([, value]) => Array.isArray(value) && value.length > 0,
          ) as [string, Row[]][];
          return (
            <>
              <PageHeader title={`Order ${String(data.name ?? orderId)}`} />
              <Card title="Summary">
                <dl className="figures">
                  {scalars.map(([key, value]) => (
                    <div key={key}>
                      <dt>{humanize(key)}</dt>
                      <dd>{formatField(key, value, store.currency, store.timezone)}</dd>
                    </div>
                  ))}
                </dl>
              </Card>
              {lists.map(([key, rows]) => (
                <Card key={key} title={humanize(key)}>
                  <DataGrid
                    label={humanize(key)}
                    rows={rows}
                    rowKey={(row, index) => String(row.id ?? index)}
                    columns={inferColumns(rows, store.currency, store.timezone, [
                      'title',
                      'name',
                      'quantity',
                      'price',
                    ])}
                  />
                </Card>
              ))}
            </>
          );
        }}
      </Async>
    </div>
  );
}
