/**
 * Every ASIM column we declare or emit is checked against the checked-in copy of Microsoft's
 * published table columns (publishedAsimSchemas.json: name and type), and every mandatory ASIM
 * field is either present in every row or one the native parser derives at query time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateRows } from '../../../../shared/local/validateRows';
import {
  ASIM_STREAMS,
  type AsimStream,
  type AsimTable,
} from '../../../../shared/sinks/logAnalytics/asim/asimStreams';
import { asimStreamOf, encodeAsimRow } from '../../../../shared/sinks/logAnalytics/asim/encodeAsimRow';
import { ASIM_CASES } from './asimRecords';

interface PublishedTable {
  schema: string;
  columns: Array<[string, string]>;
  mandatory: string[];
  aliases: Record<string, string>;
}
const published = JSON.parse(readFileSync(path.join(__dirname, 'publishedAsimSchemas.json'), 'utf8')) as {
  retrieved: string;
  sources: Record<string, string>;
  tables: Record<AsimTable, PublishedTable>;
};

/** Mandatory fields that are not table columns: the native parsers set them (see sources.nativeParsers). */
const DERIVED_BY_PARSER: Record<AsimTable, string[]> = {
  ASimNetworkSessionLogs: ['EventSchema', 'Src', 'Dst'],
  ASimDnsActivityLogs: ['EventSchema', 'DnsResponseCodeName'],
  ASimWebSessionLogs: ['IpAddr', 'Dst'],
};

/** Enumerated values from the ASIM schema pages (ASimTester.csv ListOfValues). */
const ENUMS: Record<string, string[]> = {
  EventResult: ['Success', 'Partial', 'Failure', 'NA'],
  EventSeverity: ['Informational', 'Low', 'Medium', 'High'],
  NetworkDirection: ['Inbound', 'Outbound', 'Listen', 'Unknown', 'Local', 'External', 'NA'],
  NetworkProtocolVersion: ['IPv4', 'IPv6'],
  SrcAppType: ['Process', 'Service', 'Resource', 'URL', 'SaaS application', 'Other'],
  DstAppType: ['Process', 'Service', 'Resource', 'URL', 'SaaS application', 'Other'],
};
const EVENT_TYPES: Record<AsimTable, string[]> = {
  ASimNetworkSessionLogs: ['NetworkSession', 'EndpointNetworkSession', 'Flow'],
  ASimDnsActivityLogs: ['Query'],
  ASimWebSessionLogs: ['HTTPsession'],
};
const EVENT_SUBTYPES: Record<AsimTable, string[]> = {
  ASimNetworkSessionLogs: ['Start', 'End'],
  ASimDnsActivityLogs: ['request', 'response'],
  ASimWebSessionLogs: [],
};

const tableColumns = (table: AsimTable) => new Map(published.tables[table].columns);

describe('publishedAsimSchemas.json (the reference copy)', () => {
  it('says where and when it was read', () => {
    expect(published.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const stream of ASIM_STREAMS) expect(published.sources[stream.table]).toMatch(/\S/);
  });

  it.each(ASIM_STREAMS.map((s) => [s.table, s] as const))('%s: is a plausible copy', (table) => {
    const columns = tableColumns(table);
    expect(columns.size).toBeGreaterThan(100);
    expect(columns.get('TimeGenerated')).toBe('datetime');
    expect(columns.get('AdditionalFields')).toBe('dynamic');
  });
});

describe.each(ASIM_STREAMS.map((s) => [s.table, s] as const))(
  'ASIM stream of %s',
  (table, stream: AsimStream) => {
    const columns = tableColumns(table);
    const schema = published.tables[table];

    it('is named as a DCR needs: Custom- input, Microsoft- output of the table', () => {
      expect(stream.streamName).toBe(`Custom-${table}`);
      expect(stream.outputStream).toBe(`Microsoft-${table}`);
      expect(stream.schema).toBe(schema.schema);
    });

    it.each(stream.columns.map(([name, type]) => [name, type]))(
      'declares %s (%s) as the published table does',
      (name, type) => {
        expect(columns.get(name)).toBe(type);
        expect(Object.keys(schema.aliases)).not.toContain(name);
      },
    );

    it('declares every mandatory field that is a table column; the others are the parser-derived ones', () => {
      const declared = new Set(stream.columns.map(([name]) => name));
      const missing = schema.mandatory.filter((field) => !declared.has(field));
      expect(missing.sort()).toEqual([...DERIVED_BY_PARSER[table]].sort());
      for (const field of missing) expect(columns.has(field)).toBe(false);
    });
  },
);

describe.each(ASIM_CASES.map(([name, record]) => [name, record] as const))(
  'ASIM row of %s',
  (_name, record) => {
    const encoded = encodeAsimRow(record);
    if (!encoded.ok) throw new Error(encoded.reason);
    const row = encoded.value.payload;
    const stream = asimStreamOf(record);
    const columns = tableColumns(stream.table);

    it('goes to one stream, carried as the batch group', () => {
      expect(encoded.value.group).toBe(stream.streamName);
      expect(encoded.value.bytes).toBe(Buffer.byteLength(JSON.stringify(row)) + 1);
    });

    it('only has columns of the published table, with values of their types (as the service checks)', () => {
      for (const name of Object.keys(row)) expect([name, columns.has(name)]).toEqual([name, true]);
      expect(validateRows(JSON.stringify([row]), stream.columns)).toMatchObject({ ok: true });
    });

    it('has every mandatory field that is a table column, non-empty', () => {
      for (const field of published.tables[stream.table].mandatory) {
        if (!columns.has(field)) continue;
        expect([field, row[field] !== undefined && row[field] !== '']).toEqual([field, true]);
      }
    });

    it('uses only the enumerated values of the schema', () => {
      for (const [field, values] of Object.entries(ENUMS))
        if (row[field] !== undefined) expect(values).toContain(row[field]);
      expect(EVENT_TYPES[stream.table]).toContain(row.EventType);
      if (row.EventSubType !== undefined) expect(EVENT_SUBTYPES[stream.table]).toContain(row.EventSubType);
      expect(row.EventSchemaVersion).toBe(stream.schemaVersion);
    });

    it('keeps the record id and loses no field: the rest is in AdditionalFields', () => {
      expect(row.EventOriginalUid).toBe(record.RecordId);
      const additional = (row.AdditionalFields ?? {}) as Record<string, unknown>;
      if (record.TraceConfiguration !== undefined)
        expect(additional.TraceConfiguration).toBe(record.TraceConfiguration);
      if (record.CommunityId !== undefined) expect(additional.CommunityId).toBe(record.CommunityId);
    });
  },
);

describe('ASIM rows are not a fixed shape', () => {
  it('routes each case to the expected table', () => {
    expect(ASIM_CASES.map(([name, record]) => [name, asimStreamOf(record).table])).toEqual([
      ['a TCP packet (AllPackets)', 'ASimNetworkSessionLogs'],
      ['a SYN (FirstPacket)', 'ASimNetworkSessionLogs'],
      ['an established flow (FlowSummary, SF)', 'ASimNetworkSessionLogs'],
      ['a rejected flow (REJ)', 'ASimNetworkSessionLogs'],
      ['an ICMPv6 echo', 'ASimNetworkSessionLogs'],
      ['a TLS ClientHello', 'ASimNetworkSessionLogs'],
      ['a DNS query', 'ASimDnsActivityLogs'],
      ['a DNS NXDOMAIN response with answers', 'ASimDnsActivityLogs'],
      ['an HTTP request', 'ASimWebSessionLogs'],
      ['an HTTP 503 response', 'ASimWebSessionLogs'],
      ['a gRPC response with the HTTP/2 columns (not yet in the record type)', 'ASimWebSessionLogs'],
      ['a minimal record', 'ASimNetworkSessionLogs'],
    ]);
  });
});
