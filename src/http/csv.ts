/**
 * CSV answers for every report and list: a client asks with `Accept: text/csv` or `?format=csv` and gets
 * RFC 4180 CSV (csv-stringify), streamed row by row so that a million-row export holds one page in memory.
 *
 * Values: money stays the decimal string the JSON answer carries, ids stay strings, times UTC ISO-8601.
 * Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-` or `@` and not a number) gets
 * a leading `'` (OWASP "CSV injection").
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** Query parameter every report and list accepts. */
export const formatQuery = z.object({ format: z.enum(['json', 'csv']).optional() });

/** True when the request asks for CSV: `?format=csv`, or an `Accept` header naming `text/csv` and not JSON. */
export function wantsCsv(request: FastifyRequest): boolean {
  const format = (request.query as { format?: unknown } | undefined)?.format;
  if (format === 'csv') return true;
  if (format === 'json') return false;
  const accept = (request.headers.accept ?? '').toLowerCase();
  return accept.includes('text/csv') && !accept.includes('application/json');
}

export type CsvCell = string | number | boolean | null | undefined;
export type CsvColumn<T> = { header: string; value: (row: T) => CsvCell };

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A cell as text: formula-like text is defused, null and undefined are empty. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !NUMERIC.test(text)) return `'${text}`;
  return text;
}

/** CSV columns of a JSON row schema: one per field, in the schema's order, headed by the field's JSON name. */
export function csvColumnsOf<Shape extends z.ZodRawShape>(
  row: z.ZodObject<Shape>,
): CsvColumn<z.infer<z.ZodObject<Shape>>>[] {
  return Object.keys(row.shape).map((field) => ({
    header: field,
    value: (entry) => (entry as Record<string, CsvCell>)[field],
  }));
}

/**
 * Sends `rows` as a CSV attachment named `filename` (`.csv` is added). `rows` may be an async iterable that
 * fetches page by page; it is consumed as the client reads, so memory stays constant.
 */
export function sendCsv<T>(
  reply: FastifyReply,
  filename: string,
  columns: CsvColumn<T>[],
  rows: Iterable<T> | AsyncIterable<T>,
): FastifyReply {
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) yield columns.map((column) => csvCell(column.value(row)));
    })(),
  );
  const csv = stringify({ header: true, columns: columns.map((column) => column.header) });
  records.on('error', (error) => csv.destroy(error));
  records.pipe(csv);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}.csv"`)
    .send(csv);
}

/**
 * Pages through a keyset-paginated source until it runs dry: `fetchPage(after)` returns up to a page of rows
 * after the cursor (undefined first) and the cursor of its last row.
 */
export async function* pages<T, C>(
  fetchPage: (after: C | undefined) => Promise<{ rows: T[]; next: C | undefined }>,
): AsyncIterable<T> {
  let after: C | undefined;
  for (;;) {
    const page = await fetchPage(after);
    yield* page.rows;
    if (page.next === undefined || page.rows.length === 0) return;
    after = page.next;
  }
}
