/**
 * Micro-benchmark of the per-packet matching path: identity lookup + `compileConfigurations`
 * matcher with 1, 10 and 100 configurations, plus the capture-level filter and record assembly.
 * Run: `npx tsx bench/match.ts`. Prints packets/s on one core.
 */
import type { TraceConfigurationSpec, TraceTarget } from '../shared/config/model';
import type { Endpoint } from '../shared/enrich/identity';
import { IdentityTable } from '../shared/enrich/identityTable';
import { CaptureLevelFilter } from '../shared/flow/captureLevelFilter';
import { compileConfigurations } from '../shared/match/configurationMatcher';
import { TRACE_POINTS, type DecodedPacket } from '../shared/packet/decodedPacket';
import { assembleTraceRecord } from '../shared/record/assembleRecord';
import { packet } from '../test/match/support/builders';

const PACKETS = 20_000;
const ROUNDS = 25;

const endpoints: Endpoint[] = [];
for (let i = 0; i < 500; i++) {
  endpoints.push({
    ip: `10.244.${i >> 8}.${i & 255}`,
    kind: 'pod',
    namespace: `ns${i % 20}`,
    name: `pod-${i}`,
    labels: { app: `app${i % 50}`, tier: i % 2 ? 'front' : 'back' },
    namespaceLabels: { team: `team${i % 5}` },
    workload: { kind: 'Deployment', name: `app${i % 50}` },
  });
}
const identities = new IdentityTable();
identities.apply({ cluster: 'c', generatedAt: new Date().toISOString(), complete: true, endpoints });

const all = (parts: Partial<TraceTarget>): TraceTarget => ({
  from: [],
  to: [],
  ports: [],
  tracePoints: [...TRACE_POINTS],
  tracePointsRestricted: false,
  ...parts,
});

function configuration(i: number): TraceConfigurationSpec {
  const kinds: TraceTarget[] = [
    all({
      to: [
        {
          namespaceSelector: { matchLabels: { team: `team${i % 5}` }, matchExpressions: [] },
          podSelector: { matchLabels: { app: `app${i % 50}` }, matchExpressions: [] },
        },
      ],
      ports: [{ protocol: 'TCP', port: 8000 + i }],
    }),
    all({
      from: [{ ipBlock: { cidr: `10.${100 + (i % 100)}.0.0/16`, except: [`10.${100 + (i % 100)}.1.0/24`] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }),
    all({ to: [{ ipBlock: { cidr: `192.168.${i % 256}.0/24`, except: [] } }] }),
    all({
      from: [
        {
          namespaceSelector: {
            matchLabels: {},
            matchExpressions: [{ key: 'team', operator: 'In', values: [`team${i % 5}`] }],
          },
        },
      ],
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
      ports: [{ protocol: 'UDP', port: 53 }],
    }),
  ];
  return {
    rules: [{ captureLevel: 'FirstPacket', includeLayer7Data: true, targets: [kinds[i % kinds.length]!] }],
    output: { destination: 'stdout', connection: 'TRACES_STDOUT' },
  };
}

// Four traffic shapes, each hitting some configurations (see `configuration`), most packets
// matching at least one configuration once there are 100.
const packets: DecodedPacket[] = [];
for (let i = 0; i < PACKETS; i++) {
  const j = i % 500;
  const pod = `10.244.${j >> 8}.${j & 255}`;
  const sport = 30000 + (i % 20000);
  const kind = i % 4;
  packets.push(
    kind === 0
      ? packet({ src: '10.244.1.200', dst: pod, sport, dport: 8000 + (j % 100) })
      : kind === 1
        ? packet({ src: `10.${100 + (i % 100)}.2.${i % 250}`, dst: '20.1.2.3', sport, dport: 443 })
        : kind === 2
          ? packet({ src: pod, dst: `192.168.${i % 256}.5`, sport, dport: 80 })
          : packet({
              src: '8.8.8.8',
              dst: pod,
              sport: 53,
              dport: sport,
              proto: 'UDP',
              tracePoint: 'NodeToPod',
            }),
  );
}

function rate(label: string, perPacket: (p: DecodedPacket) => number): void {
  let sink = 0;
  for (const p of packets) sink += perPacket(p);
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const p of packets) sink += perPacket(p);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const pps = (PACKETS * ROUNDS) / seconds;
  console.log(
    `${label.padEnd(58)} ${Math.round(pps).toLocaleString('en-US').padStart(12)} packets/s  (matches ${sink})`,
  );
}

for (const n of [1, 10, 100]) {
  const matcher = compileConfigurations(
    Array.from({ length: n }, (_, i) => ({ key: `ns/c${i}`, spec: configuration(i) })),
  );
  rate(
    `lookup + match, ${n} configuration(s)`,
    (p) => matcher.match(p, identities.lookup(p.sourceIp!), identities.lookup(p.destinationIp!)).length,
  );
}

const separate = Array.from({ length: 100 }, (_, i) =>
  compileConfigurations([{ key: `ns/c${i}`, spec: configuration(i) }]),
);
rate('lookup + 100 separate matchers (no shared index), reference', (p) => {
  const source = identities.lookup(p.sourceIp!);
  const destination = identities.lookup(p.destinationIp!);
  let n = 0;
  for (const m of separate) n += m.match(p, source, destination).length;
  return n;
});

const matcher10 = compileConfigurations(
  Array.from({ length: 10 }, (_, i) => ({ key: `ns/c${i}`, spec: configuration(i) })),
);
const filter = new CaptureLevelFilter();
rate('lookup + match (10) + FirstPacket filter', (p) => {
  let n = 0;
  for (const m of matcher10.match(p, identities.lookup(p.sourceIp!), identities.lookup(p.destinationIp!))) {
    if (filter.shouldRecord(m.key, m.captureLevel, m.includeLayer7Data, p, false)) n++;
  }
  return n;
});
const context = { cluster: 'c', node: 'n' };
const config = { key: 'ns/c0', captureLevel: 'AllPackets' as const };
rate('record assembly (one record per packet)', (p) => {
  const record = assembleTraceRecord(
    p,
    context,
    config,
    identities.lookup(p.sourceIp!),
    identities.lookup(p.destinationIp!),
  );
  return record.RecordId.length > 0 ? 1 : 0;
});
