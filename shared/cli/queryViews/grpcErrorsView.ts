import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, round, timeMs, topBy } from './viewFunctions';

/** `grpc-errors`: gRPC calls and errors by service and method (`queries/grpc-error-rate-by-method.kql`). */
export const grpcErrorsView: QueryView = {
  name: 'grpc-errors',
  kqlFile: 'grpc-error-rate-by-method.kql',
  summary: 'gRPC calls, errors and error status codes by service, method and server',
  columns: [
    'GrpcService',
    'GrpcMethod',
    'ServerNamespace',
    'Server',
    'Calls',
    'Errors',
    'Codes',
    'LastError',
    'ErrorRatePercent',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const responses = records
      .filter(
        (r) => r.GrpcService !== undefined && r.GrpcService !== '' && typeof r.GrpcStatusCode === 'number',
      )
      .map((r) => ({
        record: r,
        server: coalesce(r.SourceServiceName, r.SourceWorkload, r.SourcePodName, r.SourceIp),
      }));
    const groups = groupBy(responses, (c) => [
      c.record.GrpcService,
      c.record.GrpcMethod,
      c.record.SourceNamespace,
      c.server,
    ]);
    const rows = [...groups.values()].map((group): ViewRow => {
      const first = group[0]!;
      const errors = group.filter((c) => c.record.GrpcStatusCode !== 0).map((c) => c.record);
      const lastError = errors
        .map((r) => r.TimeGenerated)
        .filter((t) => timeMs(t) !== undefined)
        .sort((a, b) => timeMs(a)! - timeMs(b)!)
        .pop();
      return {
        GrpcService: first.record.GrpcService ?? '',
        GrpcMethod: first.record.GrpcMethod ?? '',
        ServerNamespace: first.record.SourceNamespace ?? '',
        Server: first.server,
        Calls: group.length,
        Errors: errors.length,
        Codes: [...new Set(errors.map((r) => r.GrpcStatusCode as number))],
        LastError: lastError ?? null,
        ErrorRatePercent: round((100 * errors.length) / group.length, 2),
      };
    });
    return topBy(rows, 'Errors', 100);
  },
};
