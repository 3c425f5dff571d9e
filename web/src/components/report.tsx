/**
 * Tables of report and list rows. Typed reports pass their own columns; the reports whose APIs land from
 * other branches (recent orders, refunds, checkouts, cohorts, lists) are shown through `inferColumns`,
 * which reads the columns from the answer and formats money, counts and times by field name, so that the
 * screens work with whatever fields those APIs settle on.
 */
import type { ReactNode } from 'react';
import { Cell, Column, Row, Table, TableBody, TableHeader, type SortDescriptor } from 'react-aria-components';
import { count, dateTime, money } from '../format.ts';

export type Row = Record<string, unknown>;
export type ColumnSpec<T> = {
  id: string;
  label: string;
  render: (row: T) => ReactNode;
  numeric?: boolean;
  sortable?: boolean;
  rowHeader?: boolean;
};

const MONEY_FIELD =
  /(sales|price|amount|total|discount|refund|returns|tax|shipping|spent|revenue|value|duties|subtotal)/i;
const TIME_FIELD = /(At|_at|Date|_date)$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `firstName` / `first_name` -> `First name`. */
export function humanize(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The rows of an answer: the answer itself when it is an array, else its first array-valued field. */
export function rowsOf(data: unknown): Row[] {
  if (Array.isArray(data)) return data as Row[];
  if (data && typeof data === 'object') {
    for (const value of Object.values(data)) if (Array.isArray(value)) return value as Row[];
  }
  return [];
}

/** One cell's text, formatted by field name and value. */
export function formatField(key: string, value: unknown, currency: string, timeZone: string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number') return count(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') {
    if (DECIMAL.test(value) && MONEY_FIELD.test(key) && !/id$/i.test(key)) return money(value, currency);
    if (TIME_FIELD.test(key) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return dateTime(value, timeZone);
    return value;
  }
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ');
  return JSON.stringify(value);
}

/** Columns read from the rows: `preferred` first when present, then the rest (ids and nested objects last). */
export function inferColumns(
  rows: Row[],
  currency: string,
  timeZone: string,
  preferred: string[] = [],
): ColumnSpec<Row>[] {
  const keys = new Set<string>();
  for (const row of rows.slice(0, 20)) for (const key of Object.keys(row)) keys.add(key);
  const scalar = [...keys].filter((key) =>
    rows.some((row) => row[key] === null || typeof row[key] !== 'object'),
  );
  const ordered = [
    ...preferred.filter((key) => keys.has(key)),
    ...scalar.filter((key) => !preferred.includes(key) && !/id$/i.test(key)),
  ].slice(0, 8);
  return ordered.map((key, index) => ({
    id: key,
    label: humanize(key),
    rowHeader: index === 0,
    numeric: rows.some(
      (row) =>
        typeof row[key] === 'number' ||
        (typeof row[key] === 'string' && DECIMAL.test(row[key] as string) && MONEY_FIELD.test(key)),
    ),
    render: (row: Row) => formatField(key, row[key], currency, timeZone),
  }));
}

/**
 * An accessible table (react-aria: keyboard navigation, sort announcements). `onRowAction` makes rows
 * open a detail view (Enter or click).
 */
export function DataGrid<T>({
  label,
  columns,
  rows,
  rowKey,
  sort,
  onSortChange,
  onRowAction,
  empty = 'Nothing to show.',
}: {
  label: string;
  columns: ColumnSpec<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  sort?: SortDescriptor;
  onSortChange?: (sort: SortDescriptor) => void;
  onRowAction?: (key: string) => void;
  empty?: ReactNode;
}) {
  const items = rows.map((row, index) => ({ key: rowKey(row, index), row }));
  return (
    <div className="table-scroll">
      <Table
        aria-label={label}
        className="table"
        {...(sort && { sortDescriptor: sort })}
        {...(onSortChange && { onSortChange })}
        {...(onRowAction && { onRowAction: (key) => onRowAction(String(key)) })}
      >
        <TableHeader columns={columns}>
          {(column) => (
            <Column
              id={column.id}
              isRowHeader={column.rowHeader ?? false}
              allowsSorting={column.sortable ?? false}
              className={`th ${column.numeric ? 'numeric' : ''}`}
            >
              {({ sortDirection }) => (
                <span className="th-inner">
                  {column.label}
                  {sortDirection && (
                    <span aria-hidden="true">{sortDirection === 'ascending' ? ' ▲' : ' ▼'}</span>
                  )}
                </span>
              )}
            </Column>
          )}
        </TableHeader>
        <TableBody items={items} renderEmptyState={() => <div className="state state-empty">{empty}</div>}>
          {(item) => (
            <Row id={item.key} columns={columns} className={`tr ${onRowAction ? 'tr-action' : ''}`}>
              {(column) => (
                <Cell className={`td ${column.numeric ? 'numeric' : ''}`}>{column.render(item.row)}</Cell>
              )}
            </Row>
          )}
        </TableBody>
      </Table>
    </div>
  );
}
