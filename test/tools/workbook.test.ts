import { TraceError } from '../../shared/errors';
import { buildWorkbook, parseQueryHeader, TIME_RANGE_PARAMETER, type QueryFile } from '../../tools/workbook';

const header = (timeRange: string) =>
  `// Title: T\n// Question: Q?\n// Time range: ${timeRange}\nRetinaTraces_CL | take 1\n`;

describe('parseQueryHeader', () => {
  it.each<[string, string, boolean]>([
    ['caller time range', header('set by the caller.'), true],
    ['own window', header('fixed by the query (8 days)'), false],
  ])('%s', (_name, text, callerTimeRange) => {
    expect(parseQueryHeader({ fileName: 'q.kql', text })).toEqual({
      title: 'T',
      question: 'Q?',
      callerTimeRange,
    });
  });

  it.each<[string, string, string]>([
    ['empty file', '', "'// Title:', '// Question:', '// Time range:'"],
    ['no question', '// Title: T\n// Time range: set by the caller\n', "'// Question:'"],
    ['empty title', '// Title:\n// Question: Q?\n// Time range: set by the caller\n', "'// Title:'"],
  ])('rejects %s, naming the file and the missing lines', (_name, text, missing) => {
    const attempt = () => parseQueryHeader({ fileName: 'bad.kql', text });
    expect(attempt).toThrow(TraceError);
    expect(attempt).toThrow(`bad.kql: header lacks ${missing}`);
  });
});

describe('buildWorkbook', () => {
  const files: QueryFile[] = [
    { fileName: 'b.kql', text: header('set by the caller') },
    { fileName: 'a.kql', text: header('fixed by the query') },
  ];

  it('orders steps by file name and keeps query text verbatim', () => {
    const items = buildWorkbook(files).items as {
      type: number;
      name: string;
      content: Record<string, unknown>;
    }[];
    const queries = items.filter((item) => item.type === 3);
    expect(queries.map((item) => item.name)).toEqual(['query - a', 'query - b']);
    expect(queries[0]?.content.query).toBe(files[1]?.text);
    expect(queries[0]?.content.timeContextFromParameter).toBeUndefined();
    expect(queries[1]?.content.timeContextFromParameter).toBe(TIME_RANGE_PARAMETER);
  });

  it('builds an empty pack with only the introduction and parameters', () => {
    expect((buildWorkbook([]).items as unknown[]).length).toBe(2);
  });
});
