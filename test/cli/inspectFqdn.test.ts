/**
 * `tracectl inspect` shows DNS names on flows: a plain capture of a lookup (`api.example.com`
 * CNAME to a CDN name, A 203.0.113.7) followed by an HTTP exchange with that address.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../../shared/capture/pcapWriter';
import { COMMANDS } from '../../shared/cli/commands';
import type { InspectedRecord } from '../../shared/cli/inspectOutput';
import { runCli } from '../../shared/cli/run';
import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { TcpFlag } from '../../shared/packet/decodedPacket';
import { bytes } from '../l7/support/builders';
import { dnsMessage, dnsName, POINTER_TO_QUESTION, rr } from '../l7/support/dnsBuilders';

const ROOT = join(__dirname, '..', '..');
const CLIENT = '192.168.1.5';
const SERVER = '203.0.113.7';

function capture(withResponse = true): Uint8Array {
  const response = dnsMessage({
    flags: 0x8180,
    name: 'api.example.com',
    answers: [
      rr(POINTER_TO_QUESTION, 5, 30, dnsName('edge.cdn.example.net')),
      rr(dnsName('edge.cdn.example.net'), 1, 30, bytes(203, 0, 113, 7)),
    ],
  });
  const tcp = (fromClient: boolean, flags: number, seq: number, ack: number, payload = ''): CraftSpec => ({
    source: fromClient ? CLIENT : SERVER,
    destination: fromClient ? SERVER : CLIENT,
    transport: {
      protocol: 'tcp',
      sourcePort: fromClient ? 50500 : 80,
      destinationPort: fromClient ? 80 : 50500,
      flags,
      seq,
      ack,
    },
    payload,
  });
  const request = 'GET /v1/items HTTP/1.1\r\nHost: api.example.com\r\n\r\n';
  const specs: CraftSpec[] = [
    {
      source: CLIENT,
      destination: '192.168.1.1',
      transport: { protocol: 'udp', sourcePort: 40000, destinationPort: 53 },
      payload: dnsMessage({ name: 'api.example.com' }),
    },
    {
      source: '192.168.1.1',
      destination: CLIENT,
      transport: { protocol: 'udp', sourcePort: 53, destinationPort: 40000 },
      payload: response,
    },
    tcp(true, TcpFlag.SYN, 10, 0),
    tcp(false, TcpFlag.SYN | TcpFlag.ACK, 70, 11),
    tcp(true, TcpFlag.ACK, 11, 71),
    tcp(true, TcpFlag.PSH | TcpFlag.ACK, 11, 71, request),
    tcp(false, TcpFlag.PSH | TcpFlag.ACK, 71, 11 + request.length, 'HTTP/1.1 204 No Content\r\n\r\n'),
  ];
  if (!withResponse) specs.pop();
  return writePcap(
    { linkType: 1 },
    specs.map((spec, i) => ({ timestampSec: 1_700_000_000 + i, timestampNsec: 0, data: craftFrame(spec) })),
  );
}

let scratch: string;
let file: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'inspect-fqdn-'));
  file = join(scratch, 'lookup-then-http.pcap');
  writeFileSync(file, capture());
  writeFileSync(join(scratch, 'unanswered.pcap'), capture(false));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function inspect(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli(['inspect', ...args], COMMANDS, {
    stdout: (t) => (stdout += t),
    stderr: () => undefined,
    env: {},
    cwd: ROOT,
  });
  return { code, stdout };
}

const ndjson = (stdout: string): InspectedRecord[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as InspectedRecord);

describe('tracectl inspect with DNS names', () => {
  it('puts the asked name on packet and layer-7 records of the connection, both ways', async () => {
    const out = await inspect(file);
    expect(out.code).toBe(0);
    const records = ndjson(out.stdout);
    const toServer = records.filter((r) => r.DestinationIp === SERVER);
    const fromServer = records.filter((r) => r.SourceIp === SERVER);
    expect(toServer.map((r) => r.DestinationFqdn)).toEqual([
      'api.example.com',
      'api.example.com',
      'api.example.com',
    ]);
    expect(fromServer.map((r) => r.SourceFqdn)).toEqual(['api.example.com', 'api.example.com']);
    expect(toServer.find((r) => r.HttpMethod === 'GET')).toMatchObject({
      L7Protocol: 'HTTP',
      DestinationFqdn: 'api.example.com',
    });
    // The DNS exchange itself names nothing: nobody resolved the resolver's address.
    expect(
      records
        .filter((r) => r.L7Protocol === 'DNS')
        .every((r) => r.DestinationFqdn === undefined && r.SourceFqdn === undefined),
    ).toBe(true);
  });

  it('names the destination on the record of a request left unanswered', async () => {
    const records = ndjson((await inspect(join(scratch, 'unanswered.pcap'))).stdout);
    expect(records.find((r) => r.L7Unanswered === true)).toMatchObject({
      HttpMethod: 'GET',
      DestinationFqdn: 'api.example.com',
    });
  });

  it('names the destination of the flow record, and the table shows the name for an unknown address', async () => {
    const flows = ndjson((await inspect(file, '--capture-level', 'FlowSummary')).stdout).filter(
      (r) => r.FlowEndReason !== undefined && r.Protocol === 'TCP',
    );
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({
      SourceIp: CLIENT,
      DestinationIp: SERVER,
      DestinationFqdn: 'api.example.com',
    });
    const table = (await inspect(file, '-o', 'table')).stdout;
    expect(table).toContain(`${SERVER}:80 (api.example.com)`);
  });
});
