import type { Command } from '../command';
import { UsageError } from '../command';
import { parseCommandArgs } from '../run';
import { PcapUsageError, runPcap } from '../../retention/pcapCommand';
import { resolveRetentionStore } from '../../retention/retentionConnection';

const HELP = `Usage: tracectl pcap (--record ID | --flow ID | --community-id ID | --pod NS/NAME)
                    [--from T --to T] [--cluster C] [-o FILE|-] [--connection-string CS]

Writes the retained packets behind records (configurations annotated retina.sh/retain-packets,
docs/retention.md) as one pcapng, in time order, with an interface per node and trace point:
exactly the frames that match. Only captures whose index names a matching frame are downloaded.

Options:
  --record ID          the packet of one record (its RecordId)
  --flow ID            every retained packet of a flow (FlowId)
  --community-id ID    every retained packet with that Community ID
  --pod NS/NAME        every retained packet to or from a pod
  --from T, --to T     time range, ISO 8601 (2026-12-04T20:00:00Z) or epoch ns; inclusive
  --cluster C          only this cluster's packets
  -o, --output FILE    file to write (default packets.pcapng); - for standard output:
                         tracectl pcap --flow ID -o - | wireshark -k -i -
  --connection-string CS   a storage connection string (e.g. Azurite's) instead of the app settings
  --container NAME     container (default RETENTION__containerName or trace-retained)

App settings (environment):
  RETENTION__connectionString   or RETENTION__blobServiceUri (+ optional __clientId)
  RETENTION__containerName      default trace-retained

Exit codes: 0 packets written, 1 nothing matched (an empty capture is written), 2 usage or storage error.
`;

/** \`tracectl pcap\`: registration only; the logic is shared/retention/pcapCommand.ts. */
export const pcapCommand: Command = {
  name: 'pcap',
  summary: 'Write the retained packets of a record, flow, Community ID or pod as pcapng',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      {
        record: { type: 'string' },
        flow: { type: 'string' },
        'community-id': { type: 'string' },
        pod: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        cluster: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'packets.pcapng' },
        'connection-string': { type: 'string' },
        container: { type: 'string' },
      },
      false,
    );
    try {
      const store = resolveRetentionStore(io.env, {
        ...(values['connection-string'] !== undefined
          ? { connectionString: values['connection-string'] }
          : {}),
        ...(values.container !== undefined ? { container: values.container } : {}),
      });
      return await runPcap(
        store,
        {
          ...(values.record !== undefined ? { record: values.record } : {}),
          ...(values.flow !== undefined ? { flow: values.flow } : {}),
          ...(values['community-id'] !== undefined ? { communityId: values['community-id'] } : {}),
          ...(values.pod !== undefined ? { pod: values.pod } : {}),
          ...(values.from !== undefined ? { from: values.from } : {}),
          ...(values.to !== undefined ? { to: values.to } : {}),
          ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
          output: values.output,
        },
        {
          stderr: io.stderr,
          cwd: io.cwd,
          ...(io.stdoutBytes !== undefined ? { stdoutBytes: io.stdoutBytes } : {}),
        },
      );
    } catch (caught) {
      if (caught instanceof PcapUsageError) throw new UsageError(caught.message);
      throw caught;
    }
  },
};
