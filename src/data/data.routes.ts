/**
 * Data lists and detail views under `/api/v1/tenants/:tenantId/`: `orders`, `customers`, `products`,
 * `checkouts`, and `<list>/:id`.
 *
 * Lists answer `{ rows, nextCursor }` with keyset pagination (src/data/cursor.ts): `limit` (1..250, default
 * 50), `cursor` (the previous page's `nextCursor`; 400 `invalid_cursor` when tampered with), `sort`
 * (`name[:asc|desc]` from the list's whitelist; 400 `invalid_sort`), `from`/`to` (store-local dates), and the
 * list's filters. With `?format=csv` or `Accept: text/csv` a list streams ALL its matching rows as CSV, page
 * by page, in constant memory (`limit` and `cursor` do not apply).
 *
 * A detail answers 404 `not_found` for an unknown, deleted or other tenant's id and 400 `invalid_id` for an
 * id that is not a decimal Shopify id. Ids are checked after authorization, so that a caller who may not
 * see the tenant learns nothing from the id's form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_DAYS, resolveRange } from '../analytics/range.ts';
import { authorize } from '../auth/access.ts';
import type { Database, Queryable } from '../db/client.ts';
import { formatQuery, pages, sendCsv, wantsCsv, type CsvColumn } from '../http/csv.ts';
import { HttpError } from '../http/errors.ts';
import type { TenantRecord } from '../tenants/tenant.repository.ts';
import type { TenantService } from '../tenants/tenant.service.ts';
import { tenantParams } from '../tenants/tenant.routes.ts';
import {
  checkoutDetail,
  checkoutDetails,
  checkoutFilters,
  checkoutRow,
  CHECKOUT_CSV,
  CHECKOUT_SORTS,
  DEFAULT_CHECKOUT_SORT,
  listCheckouts,
} from './checkouts.ts';
import {
  decodeCursor,
  encodeCursor,
  pageQuery,
  resolveSort,
  type Cursor,
  type Direction,
  type RawPage,
  type Sort,
  type SortColumn,
} from './cursor.ts';
import {
  customerDetail,
  customerDetails,
  customerFilters,
  customerRow,
  CUSTOMER_CSV,
  CUSTOMER_SORTS,
  DEFAULT_CUSTOMER_SORT,
  listCustomers,
} from './customers.ts';
import {
  DEFAULT_ORDER_SORT,
  listOrders,
  orderDetail,
  orderDetails,
  orderFilters,
  orderRow,
  ORDER_CSV,
  ORDER_SORTS,
} from './orders.ts';
import {
  DEFAULT_PRODUCT_SORT,
  listProducts,
  productDetail,
  productDetails,
  productFilters,
  productRow,
  PRODUCT_CSV,
  PRODUCT_LIST_SORTS,
} from './products.ts';

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
  }, 'must be a calendar date');

/** Query of every list: paging, format, and the store-local date range of the list's date column. */
const listQuery = pageQuery.extend({
  ...formatQuery.shape,
  from: calendarDate.optional(),
  to: calendarDate.optional(),
});

/** The answer of a list: a page of rows and the cursor of the next page (null on the last one). */
export const listResponse = <T extends z.ZodTypeAny>(row: T) =>
  z.object({ rows: z.array(row), nextCursor: z.string().nullable() });

export const orderListResponse = listResponse(orderRow);
export const customerListResponse = listResponse(customerRow);
export const productListResponse = listResponse(productRow);
export const checkoutListResponse = listResponse(checkoutRow);
export type OrderListResponse = z.infer<typeof orderListResponse>;
export type CustomerListResponse = z.infer<typeof customerListResponse>;
export type ProductListResponse = z.infer<typeof productListResponse>;
export type CheckoutListResponse = z.infer<typeof checkoutListResponse>;
export type {
  OrderDetail as OrderDetailResponse,
  OrderRow as OrderListRow,
} from './orders.ts';
export type { CustomerDetail as CustomerDetailResponse, CustomerRow as CustomerListRow } from './customers.ts';
export type { ProductDetail as ProductDetailResponse, ProductRow as ProductListRow } from './products.ts';
export type { CheckoutDetail as CheckoutDetailResponse, CheckoutRow as CheckoutListRow } from './checkouts.ts';

const detailParams = tenantParams.extend({ id: z.string().max(64) });

/**
 * Rows a CSV export reads per query: a sort without an index scans the tenant's rows once per page, so pages
 * are larger than a screen's, still a bounded amount of memory.
 */
const CSV_PAGE = 2000;
const MAX_ID = 2n ** 63n - 1n;

/** @throws HttpError 400 `invalid_id` unless `id` is a decimal id that fits a bigint. */
function assertId(id: string) {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_ID) {
    throw new HttpError(400, 'invalid_id', 'id must be a decimal Shopify id');
  }
}

/** @throws HttpError 400 `invalid_range` when `from` is after `to`. */
function assertDates(query: { from?: string | undefined; to?: string | undefined }) {
  if (query.from && query.to && query.from > query.to) {
    throw new HttpError(400, 'invalid_range', '`from` must not be after `to`');
  }
}

type ListSpec<T> = {
  name: string;
  sorts: Record<string, SortColumn & { direction: Direction }>;
  defaultSort: string;
  csv: CsvColumn<T>[];
  fetch(tx: Queryable, tenant: TenantRecord, sort: Sort, after: Cursor | undefined, limit: number): Promise<RawPage<T>>;
};

export async function dataRoutes(app: FastifyInstance, options: { db: Database; tenants: TenantService }) {
  const { db, tenants } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();

  /** Authorizes the caller and resolves the tenant. @throws HttpError 401, 403, 404. */
  const tenantOf = async (request: FastifyRequest, tenantId: string) => {
    await authorize(db, request.principal, [tenantId], 'data:read');
    return tenants.record(tenantId);
  };

  /** Answers a list request: one JSON page, or every row as streamed CSV. */
  async function answerList<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { tenantId: string },
    query: z.infer<typeof listQuery>,
    spec: ListSpec<T>,
  ): Promise<{ rows: T[]; nextCursor: string | null } | FastifyReply> {
    const tenant = await tenantOf(request, params.tenantId);
    assertDates(query);
    const sort = resolveSort(query.sort, spec.sorts, spec.defaultSort);
    if (wantsCsv(request)) {
      const rows = pages<T, Cursor>(async (after) => {
        const page = await db.forTenant(tenant.id, (tx) => spec.fetch(tx, tenant, sort, after, CSV_PAGE));
        return { rows: page.rows, next: page.next };
      });
      return sendCsv(reply, spec.name, spec.csv, rows);
    }
    const cursor = query.cursor === undefined ? undefined : decodeCursor(sort, query.cursor);
    const page = await db.forTenant(tenant.id, (tx) => spec.fetch(tx, tenant, sort, cursor, query.limit));
    return { rows: page.rows, nextCursor: page.next ? encodeCursor(sort, page.next) : null };
  }

  /** Resolves a detail: authorizes, checks the id, reads it, 404 when absent. */
  async function answerDetail<T>(
    request: FastifyRequest,
    params: { tenantId: string; id: string },
    read: (tx: Queryable, tenant: TenantRecord, id: string) => Promise<T | undefined>,
    what: string,
  ): Promise<T> {
    const tenant = await tenantOf(request, params.tenantId);
    assertId(params.id);
    const found = await db.forTenant(tenant.id, (tx) => read(tx, tenant, params.id));
    if (found === undefined) throw new HttpError(404, 'not_found', `${what} not found`);
    return found;
  }

  const base = '/tenants/:tenantId';

  api.get(
    `${base}/orders`,
    {
      schema: {
        params: tenantParams,
        querystring: listQuery.extend(orderFilters.shape),
        response: { 200: orderListResponse },
      },
    },
    async (request, reply) =>
      answerList(request, reply, request.params, request.query, {
        name: 'orders',
        sorts: ORDER_SORTS,
        defaultSort: DEFAULT_ORDER_SORT,
        csv: ORDER_CSV,
        fetch: (tx, tenant, sort, after, limit) =>
          listOrders(tx, tenant.id, tenant.timezone, request.query, sort, after, limit),
      }),
  );

  api.get(
    `${base}/orders/:id`,
    { schema: { params: detailParams, response: { 200: orderDetail } } },
    async (request) =>
      answerDetail(
        request,
        request.params,
        (tx, tenant, id) => orderDetails(tx, tenant.id, id, tenant.abandonmentThresholdMinutes),
        'order',
      ),
  );

  api.get(
    `${base}/customers`,
    {
      schema: {
        params: tenantParams,
        querystring: listQuery.extend(customerFilters.shape),
        response: { 200: customerListResponse },
      },
    },
    async (request, reply) =>
      answerList(request, reply, request.params, request.query, {
        name: 'customers',
        sorts: CUSTOMER_SORTS,
        defaultSort: DEFAULT_CUSTOMER_SORT,
        csv: CUSTOMER_CSV,
        fetch: (tx, tenant, sort, after, limit) =>
          listCustomers(tx, tenant.id, tenant.timezone, request.query, sort, after, limit),
      }),
  );

  api.get(
    `${base}/customers/:id`,
    { schema: { params: detailParams, response: { 200: customerDetail } } },
    async (request) =>
      answerDetail(request, request.params, (tx, tenant, id) => customerDetails(tx, tenant.id, tenant.timezone, id), 'customer'),
  );

  api.get(
    `${base}/products`,
    {
      schema: {
        params: tenantParams,
        querystring: listQuery.extend(productFilters.shape),
        response: { 200: productListResponse },
      },
    },
    async (request, reply) =>
      answerList(request, reply, request.params, request.query, {
        name: 'products',
        sorts: PRODUCT_LIST_SORTS,
        defaultSort: DEFAULT_PRODUCT_SORT,
        csv: PRODUCT_CSV,
        fetch: (tx, tenant, sort, after, limit) =>
          listProducts(tx, tenant.id, tenant.timezone, request.query, sort, after, limit),
      }),
  );

  api.get(
    `${base}/products/:id`,
    {
      schema: {
        params: detailParams,
        querystring: z.object({ from: calendarDate.optional(), to: calendarDate.optional() }),
        response: { 200: productDetail },
      },
    },
    async (request) =>
      answerDetail(
        request,
        request.params,
        (tx, tenant, id) =>
          productDetails(tx, tenant.id, id, resolveRange(request.query, tenant.timezone, MAX_DAYS.total)),
        'product',
      ),
  );

  api.get(
    `${base}/checkouts`,
    {
      schema: {
        params: tenantParams,
        querystring: listQuery.extend(checkoutFilters.shape),
        response: { 200: checkoutListResponse },
      },
    },
    async (request, reply) =>
      answerList(request, reply, request.params, request.query, {
        name: 'checkouts',
        sorts: CHECKOUT_SORTS,
        defaultSort: DEFAULT_CHECKOUT_SORT,
        csv: CHECKOUT_CSV,
        fetch: (tx, tenant, sort, after, limit) =>
          listCheckouts(
            tx,
            tenant.id,
            tenant.timezone,
            tenant.abandonmentThresholdMinutes,
            request.query,
            sort,
            after,
            limit,
          ),
      }),
  );

  api.get(
    `${base}/checkouts/:id`,
    { schema: { params: detailParams, response: { 200: checkoutDetail } } },
    async (request) =>
      answerDetail(
        request,
        request.params,
        (tx, tenant, id) => checkoutDetails(tx, tenant.id, id, tenant.abandonmentThresholdMinutes),
        'checkout',
      ),
  );
}
