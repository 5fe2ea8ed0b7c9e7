import { renderTable } from '../table';
import type { QueryView, ViewCell, ViewRow } from './queryView';

function cellText(cell: ViewCell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (Array.isArray(cell)) return cell.join(',');
  return String(cell);
}

/** The view's rows as a table, one column per view column (local-only columns last). */
export function formatViewTable(view: QueryView, rows: readonly ViewRow[]): string {
  const columns = [...view.columns, ...(view.localColumns ?? [])];
  return renderTable(
    columns.map((header) => ({ header })),
    rows.map((row) => columns.map((column) => cellText(row[column]))),
  );
}

/** The view's rows as a JSON array, with a trailing newline. */
export function formatViewJson(rows: readonly ViewRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}
