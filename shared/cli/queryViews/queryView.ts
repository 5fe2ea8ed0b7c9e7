import type { TraceRecord } from '../../record/traceRecord';

/** A cell of a view's result: what KQL would show for a string, number, bool, set or null. */
export type ViewCell = string | number | boolean | readonly (string | number)[] | null;

/** One result row of a view, keyed by column name. */
export type ViewRow = Readonly<Record<string, ViewCell>>;

/**
 * A named view of `tracectl query --view`: the aggregation of one query-pack file, computed in
 * TypeScript over the records read back from Azure Table.
 */
export interface QueryView {
  /** Name given to `--view`, e.g. `top-talkers`. */
  name: string;
  /** The query-pack file this view mirrors, relative to `queries/`, e.g. `flow-top-talkers-by-bytes.kql`. */
  kqlFile: string;
  /** One line for the help text. */
  summary: string;
  /** Result columns, in order; each is a name the `.kql` file projects. */
  columns: readonly string[];
  /** Extra columns only the local view has (none is in the `.kql`), shown after `columns`. */
  localColumns?: readonly string[];
  /** Aggregates records into rows; total: records lacking what the view needs are left out. */
  aggregate(records: readonly TraceRecord[]): ViewRow[];
}
