/**
 * Derives the DCR declarations of the ASIM input streams from `ASIM_STREAMS`
 * (shared/sinks/logAnalytics/asim/asimStreams.ts): `infra/modules/asimColumns.json` is this
 * module's output (written by `tools/generateAsimColumns.ts`, loaded by monitoring.bicep).
 */
import { ASIM_STREAMS, type AsimStream } from '../shared/sinks/logAnalytics/asim/asimStreams';
import { dcrColumnType, type ColumnDeclaration, type DcrColumnType } from './traceColumns';

/** One ASIM data flow as Bicep uses it. */
export interface AsimStreamDeclaration {
  /** DCR input stream, e.g. `Custom-ASimNetworkSessionLogs`. */
  streamName: string;
  /** Output stream of the ASIM table, e.g. `Microsoft-ASimNetworkSessionLogs`. */
  outputStream: string;
  /** Columns of the input stream. */
  columns: ColumnDeclaration<DcrColumnType>[];
}

/** The content of `infra/modules/asimColumns.json`. */
export interface AsimColumnsDocument {
  $comment: string;
  networkSession: AsimStreamDeclaration;
  dnsActivity: AsimStreamDeclaration;
  webSession: AsimStreamDeclaration;
}

function declaration(stream: AsimStream): AsimStreamDeclaration {
  return {
    streamName: stream.streamName,
    outputStream: stream.outputStream,
    columns: stream.columns.map(([name, type]) => ({ name, type: dcrColumnType(type) })),
  };
}

/** Builds the document from the stream definitions. */
export function buildAsimColumns(streams: readonly AsimStream[] = ASIM_STREAMS): AsimColumnsDocument {
  const find = (table: AsimStream['table']): AsimStream => {
    const stream = streams.find((s) => s.table === table);
    if (stream === undefined) throw new Error(`no ASIM stream for ${table}`);
    return stream;
  };
  return {
    $comment:
      'Generated from ASIM_STREAMS (shared/sinks/logAnalytics/asim/asimStreams.ts) by `npx tsx tools/generateAsimColumns.ts`. Do not edit.',
    networkSession: declaration(find('ASimNetworkSessionLogs')),
    dnsActivity: declaration(find('ASimDnsActivityLogs')),
    webSession: declaration(find('ASimWebSessionLogs')),
  };
}

/** The file text: pretty JSON with a trailing newline. */
export function renderAsimColumns(document: AsimColumnsDocument = buildAsimColumns()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
