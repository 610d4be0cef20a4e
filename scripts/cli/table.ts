/**
 * Plain-text tables for the CLIs: a header row in capitals, columns two spaces apart, numbers
 * right-aligned. No colours and no box drawing, so the output reads the same in a terminal, a
 * log file or a pipe to `grep`/`awk` (as `gh` and `wrangler` print theirs).
 */

export type Cell = string | number | null | undefined;

export interface Column {
  header: string;
  /** Right-align (numbers). */
  right?: boolean;
}

const GAP = '  ';

/**
 * The rows under `columns`, each cell padded to its column's widest; `-` for a missing value
 * (`null`, `undefined`), nothing for `''`.
 */
export function table(columns: readonly (Column | string)[], rows: readonly Cell[][]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const text = (cell: Cell) => (cell === null || cell === undefined ? '-' : `${cell}`);
  const body = rows.map((row) => cols.map((_, i) => text(row[i])));
  const widths = cols.map((c, i) =>
    Math.max(c.header.length, ...body.map((row) => (row[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] as number;
        if (cols[i]?.right) return cell.padStart(width);
        // The last column is not padded: no trailing spaces.
        return i === cells.length - 1 ? cell : cell.padEnd(width);
      })
      .join(GAP)
      .trimEnd();
  return [line(cols.map((c) => c.header.toUpperCase())), ...body.map(line)].join('\n');
}

/**
 * An ISO instant as `2026-12-07 19:30 UTC`: absolute, so a table means the same tomorrow and
 * in a log; `-` for none. Anything unparsable is shown as it came.
 */
export function when(iso: string | null | undefined): string {
  if (!iso) return '-';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
