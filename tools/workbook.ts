/**
 * Builds the Azure Monitor workbook (`infra/workbook/retina-traces.workbook.json`) from the query
 * pack (`queries/*.kql`): one text step with each query's question and one query step whose KQL is
 * the file's content, verbatim. Every query file starts with a header:
 *
 *   // Title: <short title>
 *   // Question: <the question it answers>
 *   // Notes: <optional, may continue on `//` lines>
 *   // Time range: set by the caller | <how the query picks its own window>
 */
import { TraceError } from '../shared/errors';

/** One `.kql` file of the query pack. */
export interface QueryFile {
  /** File name, e.g. `dns-latency.kql`. */
  fileName: string;
  /** Full file content. */
  text: string;
}

/** What a query's header says. */
export interface QueryHeader {
  title: string;
  question: string;
  /** True when the query leaves the time range to the caller (portal picker, workbook TimeRange). */
  callerTimeRange: boolean;
}

/** Placeholder the Bicep replaces with the workspace resource id. */
export const WORKSPACE_PLACEHOLDER = '__WORKSPACE_RESOURCE_ID__';

/** Name of the workbook's time range parameter. */
export const TIME_RANGE_PARAMETER = 'TimeRange';

const WORKSPACE_RESOURCE_TYPE = 'microsoft.operationalinsights/workspaces';
const DAY_MS = 86_400_000;

/** Reads the header of a query file; throws `QUERY_HEADER_INVALID` naming the file and the missing line. */
export function parseQueryHeader(file: QueryFile): QueryHeader {
  const fields = new Map<string, string>();
  for (const line of file.text.split('\n')) {
    const match = /^\/\/\s*(Title|Question|Time range):\s*(.*\S)\s*$/.exec(line);
    if (match !== null && !fields.has(match[1] as string)) fields.set(match[1] as string, match[2] as string);
  }
  const missing = ['Title', 'Question', 'Time range'].filter((field) => !fields.has(field));
  if (missing.length > 0) {
    throw new TraceError(
      'QUERY_HEADER_INVALID',
      `${file.fileName}: header lacks ${missing.map((m) => `'// ${m}:'`).join(', ')}`,
    );
  }
  return {
    title: fields.get('Title') as string,
    question: fields.get('Question') as string,
    callerTimeRange: (fields.get('Time range') as string).startsWith('set by the caller'),
  };
}

/** Workbook steps for one query: its question as text, then the query. */
function querySteps(file: QueryFile): unknown[] {
  const header = parseQueryHeader(file);
  const stem = file.fileName.replace(/\.kql$/, '');
  const timeContext = header.callerTimeRange
    ? { timeContextFromParameter: TIME_RANGE_PARAMETER }
    : { timeContext: { durationMs: 30 * DAY_MS } };
  return [
    {
      type: 1,
      content: { json: `### ${header.title}\n${header.question} (\`queries/${file.fileName}\`)` },
      name: `text - ${stem}`,
    },
    {
      type: 3,
      content: {
        version: 'KqlItem/1.0',
        query: file.text,
        size: 0,
        title: header.title,
        ...timeContext,
        queryType: 0,
        resourceType: WORKSPACE_RESOURCE_TYPE,
        visualization: 'table',
      },
      name: `query - ${stem}`,
    },
  ];
}

/** The workbook document for the given query files (sorted by file name for a stable output). */
export function buildWorkbook(files: readonly QueryFile[]): Record<string, unknown> {
  const sorted = [...files].sort((a, b) => a.fileName.localeCompare(b.fileName));
  return {
    version: 'Notebook/1.0',
    items: [
      {
        type: 1,
        content: {
          json: '## Retina packet traces\nViews over `RetinaTraces_CL`, one per query of the query pack in `queries/`. Pick a time range; each view says which question it answers.',
        },
        name: 'text - introduction',
      },
      {
        type: 9,
        content: {
          version: 'KqlParameterItem/1.0',
          parameters: [
            {
              id: '6f0e3b8a-2c1d-4e5f-9a7b-3c2d1e0f4a5b',
              version: 'KqlParameterItem/1.0',
              name: TIME_RANGE_PARAMETER,
              label: 'Time range',
              type: 4,
              isRequired: true,
              value: { durationMs: DAY_MS },
              typeSettings: {
                selectableValues: [
                  3_600_000,
                  4 * 3_600_000,
                  12 * 3_600_000,
                  DAY_MS,
                  3 * DAY_MS,
                  7 * DAY_MS,
                ].map((durationMs) => ({ durationMs })),
                allowCustom: true,
              },
            },
          ],
          style: 'pills',
          queryType: 0,
          resourceType: WORKSPACE_RESOURCE_TYPE,
        },
        name: 'parameters',
      },
      ...sorted.flatMap(querySteps),
    ],
    fallbackResourceIds: [WORKSPACE_PLACEHOLDER],
    $schema: 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json',
  };
}

/** The workbook file text: pretty JSON with a trailing newline. */
export function renderWorkbook(files: readonly QueryFile[]): string {
  return `${JSON.stringify(buildWorkbook(files), null, 2)}\n`;
}
