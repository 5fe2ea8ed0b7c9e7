import { DnsNameCache } from '../../shared/enrich/dnsNameCache';
import { ipKeyOfText } from '../../shared/enrich/ipKey';
import { addDnsNames } from '../../shared/enrich/recordDnsNames';
import { parseIp } from '../../shared/net/ipAddress';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import type { TraceRecord } from '../../shared/record/traceRecord';

const POD = '10.244.1.5';
const SERVER = '203.0.113.7';
const cache = new DnsNameCache();
cache.learn(ipKeyOfText(SERVER)!, 'api.example.com', ipKeyOfText(POD)!, 300, 1_000);

const packet = (source?: string, destination?: string, seconds = 2): DecodedPacket =>
  ({
    frame: 1,
    timestampSec: seconds,
    timestampNsec: 0,
    direction: 'unknown',
    originalLength: 0,
    data: new Uint8Array(0),
    ...(source === undefined ? {} : { sourceIp: parseIp(source) }),
    ...(destination === undefined ? {} : { destinationIp: parseIp(destination) }),
  });

describe('addDnsNames', () => {
  it.each<[string, DecodedPacket, Partial<TraceRecord>]>([
    ['to the resolved address: DestinationFqdn', packet(POD, SERVER), { DestinationFqdn: 'api.example.com' }],
    ['its reply: SourceFqdn', packet(SERVER, POD), { SourceFqdn: 'api.example.com' }],
    ['after the name expired: nothing', packet(POD, SERVER, 302), {}],
    ['between unresolved addresses: nothing', packet(POD, '10.244.1.9'), {}],
    ['a packet without addresses: nothing', packet(), {}],
  ])('%s', (_name, decoded, expected) => {
    const record = { TimeGenerated: '', TimestampNs: '0', RecordId: 'r' } as TraceRecord;
    addDnsNames(record, decoded, cache);
    expect(record).toEqual({ TimeGenerated: '', TimestampNs: '0', RecordId: 'r', ...expected });
  });
});
