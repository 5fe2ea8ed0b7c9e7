/** A column of a CLI table: its header and the width it never goes below (stable across refreshes). */
export interface TableColumn {
  header: string;
  minWidth?: number;
}

/**
 * Renders rows under a header, columns separated by three spaces (kubectl's layout). Each column
 * is as wide as its widest cell and at least its `minWidth`, so `--watch` refreshes line up.
 */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, column.minWidth ?? 0, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('   ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join('\n') + '\n';
}
