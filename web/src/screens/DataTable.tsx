/**
 * Data tables (orders, customers, products, checkouts): search, sort, keyset pagination and a detail view,
 * all held in the URL (`q`, `sort=field:asc|desc`, `cursor`, and `prev`, the cursors of earlier pages, so
 * that Previous works on a shared link too). Lists answer `{ rows, nextCursor }` (API from the lists branch).
 */
import { useState, type FormEvent } from 'react';
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
import { query, useApi } from '../api.ts';
import { DataGrid, formatField, humanize, inferColumns, type Row } from '../components/report.tsx';
import { Async, Card, CsvLink, PageHeader } from '../components/ui.tsx';
import { navigate, setParams, useLocation } from '../router.ts';
import type { Store } from '../session.ts';

type Table = 'orders' | 'customers' | 'products' | 'checkouts';
type Page = { rows: Row[]; nextCursor: string | null };

const TITLES: Record<Table, string> = {
  orders: 'Orders',
  customers: 'Customers',
  products: 'Products',
  checkouts: 'Checkouts',
};

/** Columns shown first when the list has them. */
const PREFERRED: Record<Table, string[]> = {
  orders: ['name', 'createdAt', 'email', 'customer', 'financialStatus', 'fulfillmentStatus', 'totalPrice'],
  customers: ['email', 'firstName', 'lastName', 'ordersCount', 'totalSpent', 'createdAt'],
  products: ['title', 'vendor', 'productType', 'status', 'createdAt'],
  checkouts: ['email', 'createdAt', 'completedAt', 'abandoned', 'totalPrice'],
};

const PAGE_SIZE = 25;

export default function DataTableScreen({ store, table }: { store: Store; table: Table }) {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const sort = params.get('sort') ?? '';
  const cursor = params.get('cursor');
  const prev = params.get('prev')?.split(',') ?? [];
  const listPath = `/tenants/${store.id}/${table}${query({ q, sort })}`;
  const page = useApi<Page>(`/tenants/${store.id}/${table}${query({ q, sort, cursor, limit: PAGE_SIZE })}`);
  const [detail, setDetail] = useState<Row | null>(null);
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
          {(data) => {
            const columns = inferColumns(data.rows, store.currency, store.timezone, PREFERRED[table]).map(
              (column) => ({
                ...column,
                sortable: true,
              }),
            );
            const keyOf = (row: Row, index: number) => String(row.id ?? row.token ?? index);
            return (
              <>
                <DataGrid
                  label={TITLES[table]}
                  rows={data.rows}
                  rowKey={keyOf}
                  columns={columns}
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
                    else setDetail(data.rows.find((row, index) => keyOf(row, index) === key) ?? null);
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
            );
          }}
        </Async>
      </Card>
      <ModalOverlay
        className="modal-overlay"
        isDismissable
        isOpen={detail !== null}
        onOpenChange={(open) => !open && setDetail(null)}
      >
        <Modal className="modal">
          <Dialog className="dialog">
            {({ close }) => (
              <>
                <Heading slot="title">{TITLES[table].replace(/s$/, '')} details</Heading>
                <dl className="figures">
                  {detail &&
                    Object.entries(detail).map(([key, value]) => (
                      <div key={key}>
                        <dt>{humanize(key)}</dt>
                        <dd>{formatField(key, value, store.currency, store.timezone)}</dd>
                      </div>
                    ))}
                </dl>
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
