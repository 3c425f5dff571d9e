/**
 * Data tables (orders, customers, products, checkouts) on the lists API (src/data/data.routes.ts): search,
 * sort, keyset pagination and a detail view, all held in the URL (`q`, `sort=field:asc|desc` with the API's
 * sort names, `cursor`, and `prev`, the cursors of earlier pages, so that Previous works on a shared link
 * too). Orders open their own page; the other details open in a dialog from `GET <list>/:id`.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import {
  Button,
  Dialog,
  Heading,
  Input,
  Label,
  Modal,
  ModalOverlay,
  SearchField,
  type SortDescriptor,
} from 'react-aria-components';
import type {
  CheckoutDetailResponse,
  CheckoutListRow,
  CustomerDetailResponse,
  CustomerListRow,
  OrderListRow,
  ProductDetailResponse,
  ProductListRow,
} from '../../../src/data/data.routes.ts';
import { query, useApi } from '../api.ts';
import { DataGrid, type ColumnSpec } from '../components/report.tsx';
import { Async, Card, CsvLink, PageHeader } from '../components/ui.tsx';
import { count, dateTime, money } from '../format.ts';
import { navigate, setParams, useLocation } from '../router.ts';
import type { Store } from '../session.ts';

type Table = 'orders' | 'customers' | 'products' | 'checkouts';
type ListRow = {
  orders: OrderListRow;
  customers: CustomerListRow;
  products: ProductListRow;
  checkouts: CheckoutListRow;
};
type Page<T extends Table> = { rows: ListRow[T][]; nextCursor: string | null };

const TITLES: Record<Table, string> = {
  orders: 'Orders',
  customers: 'Customers',
  products: 'Products',
  checkouts: 'Checkouts',
};

/** A column; `id` is the API's sort name for the sortable ones (ORDER_SORTS etc. in src/data/). */
type Column<T> = ColumnSpec<T>;

const words = (value: string | null) =>
  value ? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ') : '—';
const fullName = (row: { firstName: string | null; lastName: string | null }) =>
  [row.firstName, row.lastName].filter(Boolean).join(' ') || '—';

/** The columns of each list, in the store's currency and time zone. */
function columnsOf<T extends Table>(table: T, store: Store): Column<ListRow[T]>[] {
  const { currency, timezone } = store;
  const columns: { [K in Table]: Column<ListRow[K]>[] } = {
    orders: [
      {
        id: 'order_number',
        label: 'Order',
        rowHeader: true,
        sortable: true,
        render: (row) => row.name ?? row.id,
      },
      {
        id: 'processed_at',
        label: 'Date',
        sortable: true,
        render: (row) => dateTime(row.processedAt, timezone),
      },
      {
        id: 'customer',
        label: 'Customer',
        render: (row) =>
          [row.customerFirstName, row.customerLastName].filter(Boolean).join(' ') || row.email || '—',
      },
      {
        id: 'financialStatus',
        label: 'Payment',
        render: (row) => `${words(row.financialStatus)}${row.cancelledAt ? ' (cancelled)' : ''}`,
      },
      {
        id: 'fulfillmentStatus',
        label: 'Fulfillment',
        render: (row) => words(row.fulfillmentStatus ?? 'unfulfilled'),
      },
      {
        id: 'total_price',
        label: 'Total',
        numeric: true,
        sortable: true,
        render: (row) => money(row.totalPrice, row.currency ?? currency),
      },
    ],
    customers: [
      { id: 'name', label: 'Customer', rowHeader: true, sortable: true, render: fullName },
      { id: 'email', label: 'Email', sortable: true, render: (row) => row.email ?? '—' },
      { id: 'orders', label: 'Orders', numeric: true, sortable: true, render: (row) => count(row.orders) },
      {
        id: 'net_sales',
        label: 'Net sales',
        numeric: true,
        sortable: true,
        render: (row) => money(row.netSales, currency),
      },
      {
        id: 'last_order_at',
        label: 'Last order',
        sortable: true,
        render: (row) => dateTime(row.lastOrderAt, timezone),
      },
      {
        id: 'created_at',
        label: 'Customer since',
        sortable: true,
        render: (row) => dateTime(row.createdAt, timezone),
      },
    ],
    products: [
      { id: 'title', label: 'Product', rowHeader: true, sortable: true, render: (row) => row.title ?? '—' },
      { id: 'vendor', label: 'Vendor', sortable: true, render: (row) => row.vendor ?? '—' },
      { id: 'productType', label: 'Type', render: (row) => row.productType ?? '—' },
      { id: 'status', label: 'Status', render: (row) => words(row.status) },
      { id: 'variantsCount', label: 'Variants', numeric: true, render: (row) => count(row.variantsCount) },
      {
        id: 'created_at',
        label: 'Created',
        sortable: true,
        render: (row) => dateTime(row.createdAt, timezone),
      },
    ],
    checkouts: [
      {
        id: 'created_at',
        label: 'Started',
        rowHeader: true,
        sortable: true,
        render: (row) => dateTime(row.createdAt, timezone),
      },
      { id: 'email', label: 'Email', render: (row) => row.email ?? '—' },
      { id: 'status', label: 'Status', render: (row) => words(row.status) },
      { id: 'lineItemsCount', label: 'Items', numeric: true, render: (row) => count(row.lineItemsCount) },
      {
        id: 'activity_at',
        label: 'Last activity',
        sortable: true,
        render: (row) => dateTime(row.activityAt, timezone),
      },
      {
        id: 'total_price',
        label: 'Total',
        numeric: true,
        sortable: true,
        render: (row) => money(row.totalPrice, row.currency ?? currency),
      },
    ],
  };
  return columns[table] as Column<ListRow[T]>[];
}

const PAGE_SIZE = 25;

export default function DataTableScreen<T extends Table>({ store, table }: { store: Store; table: T }) {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const sort = params.get('sort') ?? '';
  const cursor = params.get('cursor');
  const prev = params.get('prev')?.split(',') ?? [];
  const listPath = `/tenants/${store.id}/${table}${query({ q, sort })}`;
  const page = useApi<Page<T>>(
    `/tenants/${store.id}/${table}${query({ q, sort, cursor, limit: PAGE_SIZE })}`,
  );
  const [detail, setDetail] = useState<string | null>(null);
  const [search, setSearch] = useState(q);

  const [sortField, sortDirection] = sort.split(':');
  const descriptor: SortDescriptor | undefined = sortField
    ? { column: sortField, direction: sortDirection === 'desc' ? 'descending' : 'ascending' }
    : undefined;

  const submitSearch = (event?: FormEvent) => {
    event?.preventDefault();
    setParams({ q: search, cursor: null, prev: null });
  };

  return (
    <div className="page">
      <PageHeader
        title={TITLES[table]}
        actions={<CsvLink path={listPath} label={TITLES[table].toLowerCase()} />}
      />
      <form className="toolbar" role="search" onSubmit={submitSearch}>
        <SearchField
          className="search"
          value={search}
          onChange={setSearch}
          onSubmit={() => submitSearch()}
          onClear={() => setParams({ q: null, cursor: null, prev: null })}
        >
          <Label className="visually-hidden">Search {TITLES[table].toLowerCase()}</Label>
          <Input className="input" placeholder={`Search ${TITLES[table].toLowerCase()}`} />
        </SearchField>
        <Button type="submit" className="button">
          Search
        </Button>
      </form>
      <Card>
        <Async resource={page} loadingLabel={`Loading ${table}`}>
          {(data) => (
            <>
              <DataGrid
                label={TITLES[table]}
                rows={data.rows}
                rowKey={(row) => row.id}
                columns={columnsOf(table, store)}
                {...(descriptor && { sort: descriptor })}
                onSortChange={(next) =>
                  setParams({
                    sort: `${String(next.column)}:${next.direction === 'descending' ? 'desc' : 'asc'}`,
                    cursor: null,
                    prev: null,
                  })
                }
                onRowAction={(key) => {
                  if (table === 'orders') navigate(`/stores/${store.id}/orders/${encodeURIComponent(key)}`);
                  else setDetail(key);
                }}
                empty={q ? `No ${table} match “${q}”.` : `No ${table} yet.`}
              />
              <nav className="pagination" aria-label="Pages">
                <Button
                  className="button"
                  isDisabled={!cursor}
                  onPress={() =>
                    setParams({ cursor: prev.at(-1) || null, prev: prev.slice(0, -1).join(',') || null })
                  }
                >
                  Previous
                </Button>
                <Button
                  className="button"
                  isDisabled={!data.nextCursor}
                  onPress={() =>
                    setParams({ cursor: data.nextCursor, prev: [...prev, cursor ?? ''].join(',') })
                  }
                >
                  Next
                </Button>
              </nav>
            </>
          )}
        </Async>
      </Card>
      <ModalOverlay
        className="modal-overlay"
        isDismissable
        isOpen={detail !== null}
        onOpenChange={(open) => !open && setDetail(null)}
      >
        <Modal className="modal">
          <Dialog className="dialog" aria-label={`${TITLES[table].replace(/s$/, '')} details`}>
            {({ close }) => (
              <>
                {detail !== null && table !== 'orders' && (
                  <Detail store={store} table={table as Exclude<Table, 'orders'>} id={detail} />
                )}
                <Button className="button" onPress={close}>
                  Close
                </Button>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </div>
  );
}

type DetailOf = {
  customers: CustomerDetailResponse;
  products: ProductDetailResponse;
  checkouts: CheckoutDetailResponse;
};

/** A customer's, product's or checkout's detail, read from `GET /tenants/:id/<list>/:id`. */
function Detail<T extends keyof DetailOf>({ store, table, id }: { store: Store; table: T; id: string }) {
  const detail = useApi<DetailOf[T]>(`/tenants/${store.id}/${table}/${encodeURIComponent(id)}`);
  const { currency, timezone } = store;
  return (
    <Async resource={detail} loadingLabel="Loading details">
      {(data) => {
        let title: string;
        let figures: [string, ReactNode][];
        let list: ReactNode = null;
        if (table === 'customers') {
          const customer = data as CustomerDetailResponse;
          title = fullName(customer);
          figures = [
            ['Email', customer.email ?? '—'],
            ['Phone', customer.phone ?? '—'],
            ['Orders', count(customer.orders)],
            ['Net sales', money(customer.netSales, currency)],
            ['First order', dateTime(customer.firstOrderAt, timezone)],
            ['Last order', dateTime(customer.lastOrderAt, timezone)],
            ['Returning', customer.returning ? 'Yes' : 'No'],
          ];
          list = (
            <DataGrid
              label="Recent orders"
              rows={customer.recentOrders}
              rowKey={(row) => row.id}
              columns={columnsOf('orders', store)}
              onRowAction={(key) => navigate(`/stores/${store.id}/orders/${encodeURIComponent(key)}`)}
              empty="No orders yet."
            />
          );
        } else if (table === 'products') {
          const product = data as ProductDetailResponse;
          title = product.title ?? product.id;
          figures = [
            ['Vendor', product.vendor ?? '—'],
            ['Status', words(product.status)],
            ['Units sold (last 30 days)', count(product.sales.unitsSold)],
            ['Gross sales', money(product.sales.grossSales, currency)],
            ['Returns', money(product.sales.returns, currency)],
            ['Net sales', money(product.sales.netSales, currency)],
          ];
          list = (
            <DataGrid
              label="Variants"
              rows={product.variants}
              rowKey={(row) => row.id}
              columns={[
                { id: 'title', label: 'Variant', rowHeader: true, render: (row) => row.title ?? '—' },
                { id: 'sku', label: 'SKU', render: (row) => row.sku ?? '—' },
                { id: 'price', label: 'Price', numeric: true, render: (row) => money(row.price, currency) },
              ]}
            />
          );
        } else {
          const checkout = data as CheckoutDetailResponse;
          title = `Checkout ${checkout.id}`;
          figures = [
            ['Email', checkout.email ?? '—'],
            ['Status', words(checkout.status)],
            ['Started', dateTime(checkout.createdAt, timezone)],
            ['Last activity', dateTime(checkout.activityAt, timezone)],
            ['Abandoned after', dateTime(checkout.abandonedAfter, timezone)],
            ['Total', money(checkout.totalPrice, checkout.currency ?? currency)],
          ];
          list = (
            <DataGrid
              label="Line items"
              rows={checkout.lineItems}
              rowKey={(row, index) => row.key ?? String(index)}
              columns={[
                { id: 'title', label: 'Product', rowHeader: true, render: (row) => row.title ?? '—' },
                { id: 'quantity', label: 'Quantity', numeric: true, render: (row) => count(row.quantity) },
                {
                  id: 'linePrice',
                  label: 'Line price',
                  numeric: true,
                  render: (row) => money(row.linePrice, checkout.presentmentCurrency ?? currency),
                },
              ]}
            />
          );
        }
        return (
          <>
            <Heading slot="title">{title}</Heading>
            <dl className="figures">
              {figures.map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
            {list}
          </>
        );
      }}
    </Async>
  );
}
