/**
 * Tables of report and list rows: each screen passes its typed columns (`ColumnSpec`) over the API's
 * exported row types. `rowsOf` reads the sync status, whose API is not merged yet (its shape is not
 * known here); `humanize` turns API words (`partially_refunded`, `rowsDone`) into labels.
 */
import type { ReactNode } from 'react';
import { Cell, Column, Row, Table, TableBody, TableHeader, type SortDescriptor } from 'react-aria-components';

export type Row = Record<string, unknown>;
export type ColumnSpec<T> = {
  id: string;
  label: string;
  render: (row: T) => ReactNode;
  numeric?: boolean;
  sortable?: boolean;
  rowHeader?: boolean;
};

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
