import { ASIM_STREAMS } from '../../shared/sinks/logAnalytics/asim/asimStreams';
import { renderAsimColumns, type AsimColumnsDocument } from '../../tools/asimColumns';
import { readRepoFile } from './repoFiles';

const committed = readRepoFile('infra', 'modules', 'asimColumns.json');
const document = JSON.parse(committed) as AsimColumnsDocument;
const monitoring = readRepoFile('infra', 'modules', 'monitoring.bicep');
const main = readRepoFile('infra', 'main.bicep');
const DCR_TYPES = new Set(['string', 'int', 'long', 'real', 'boolean', 'datetime', 'dynamic']);

describe('infra/modules/asimColumns.json', () => {
  it('equals the output of tools/generateAsimColumns.ts (run it after changing ASIM_STREAMS)', () => {
    expect(committed).toBe(renderAsimColumns());
  });

  it.each([
    ['networkSession', 'ASimNetworkSessionLogs'],
    ['dnsActivity', 'ASimDnsActivityLogs'],
    ['webSession', 'ASimWebSessionLogs'],
  ] as const)('%s: Custom- input stream to the Microsoft- stream of %s, DCR column types', (key, table) => {
    const declaration = document[key];
    expect(declaration.streamName).toBe(`Custom-${table}`);
    expect(declaration.outputStream).toBe(`Microsoft-${table}`);
    const stream = ASIM_STREAMS.find((s) => s.table === table);
    expect(declaration.columns.map((c) => c.name)).toEqual(stream?.columns.map(([name]) => name));
    for (const column of declaration.columns) expect(DCR_TYPES.has(column.type)).toBe(true);
    expect(declaration.columns.find((c) => c.name === 'TimeGenerated')?.type).toBe('datetime');
  });
});

describe('monitoring.bicep adds the ASIM streams to the rule when asimOutput is set', () => {
  it.each([
    ['loads the JSON', /loadJsonContent\('asimColumns\.json'\)/],
    [
      'declares the parameter, off by default (the tables need Microsoft Sentinel)',
      /param asimOutput bool = false/,
    ],
    [
      'adds the stream declarations',
      /streamDeclarations: union\([\s\S]*asimOutput \? asimStreamDeclarations : \{\}\)/,
    ],
    ['adds the data flows', /dataFlows: concat\([\s\S]*asimOutput \? asimDataFlows : \[\]\)/],
    ['routes each to its table', /outputStream: asimColumns\.webSession\.outputStream/],
    ['keeps the RetinaTraces_CL flow', /outputStream: streamName/],
  ])('%s', (_what, pattern) => {
    expect(monitoring).toMatch(pattern);
  });

  it('main.bicep exposes and passes asimOutput', () => {
    expect(main).toMatch(/param asimOutput bool = false/);
    expect(main).toMatch(/asimOutput: asimOutput/);
  });
});
