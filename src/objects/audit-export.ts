import type { AuditEntry } from '../model/audit';

/** Column order of the CSV export; the header row names them. */
export const CSV_COLUMNS = [
  'id',
  'at',
  'product',
  'enabled',
  'previous',
  'version',
  'actor_oid',
  'actor_name',
  'actor_upn',
  'actor_idp',
  'feedback',
  'mode',
  'previous_mode',
  'via',
  'event',
  'scheduled_for',
] as const;

/** One entry as CSV cells (before neutralising), in CSV_COLUMNS order. */
export function csvCells(entry: AuditEntry): string[] {
  return [
    entry.id,
    entry.at,
    entry.product,
    String(entry.enabled),
    String(entry.previous),
    String(entry.version),
    entry.actor.oid,
    entry.actor.name,
    entry.actor.upn,
    entry.actor.idp,
    entry.feedback ?? '',
    entry.mode,
    entry.previousMode,
    entry.via,
    entry.event,
    entry.scheduledFor ?? '',
  ];
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV Injection");
// tab and carriage return are on OWASP's list because some importers strip them first.
const FORMULA_START = /^[=+\-@\t\r]/;

/** Make a cell inert in a spreadsheet: a leading apostrophe makes it text. */
export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** One RFC 4180 field: quoted when it holds a quote, comma, CR or LF. */
function field(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function csvRow(cells: readonly string[]): string {
  return `${cells.map((c) => field(neutralise(c))).join(',')}\r\n`;
}

export function csvHeader(): string {
  return csvRow(CSV_COLUMNS);
}

/** Parse RFC 4180 text (CRLF or LF rows) into rows of cells; the inverse of csvRow. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** The export file: the whole log as spreadsheet-safe CSV, or as JSON. */
export function exportBody(
  tenant: string,
  entries: readonly AuditEntry[],
  format: 'csv' | 'json',
  now: number,
): { contentType: string; filename: string; body: string } {
  const stamp = new Date(now).toISOString().slice(0, 10);
  if (format === 'json') {
    return {
      contentType: 'application/json; charset=utf-8',
      filename: `audit-${tenant}-${stamp}.json`,
      body: JSON.stringify({ tenantId: tenant, entries }),
    };
  }
  return {
    contentType: 'text/csv; charset=utf-8',
    filename: `audit-${tenant}-${stamp}.csv`,
    body: csvHeader() + entries.map((e) => csvRow(csvCells(e))).join(''),
  };
}
