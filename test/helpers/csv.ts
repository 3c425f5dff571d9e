/**
 * The records of a CSV answer (RFC 4180, as csv-stringify writes it in src/http/csv.ts: quoted cells with
 * doubled quotes, line breaks inside quotes, CRLF or LF), header first. Test-only: the server never parses CSV.
 */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  return records;
}

/** A CSV answer's rows keyed by its header (see `parseCsvRecords`). */
export function parseCsv(text: string): Record<string, string>[] {
  const [header = [], ...rows] = parseCsvRecords(text);
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])));
}
