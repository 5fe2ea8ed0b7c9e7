import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CapturePacket } from '../../shared/capture/capturePacket';
import { PcapngWriter } from '../../shared/capture/pcapngWriter';
import { readCapture } from '../../shared/capture/readCapture';
import { craftFrame } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { FragmentReassembler } from '../../shared/packet/fragmentReassembler';
import { hasSharedData, sharedPath } from '../support/sharedData';
import { tsharkFields } from '../support/tsharkRow';

/**
 * Beyond the stored oracle: writes every public capture into ONE pcapng with our writer (one
 * interface per original interface, so per-interface link types), runs the installed tshark once
 * over it, and compares every L2–L4 field tshark and we both report, raw TCP sequence numbers
 * included. Also proves that tshark opens what our writer produces.
 */
const FIELDS = [
  'frame.len',
  'frame.cap_len',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.ttl',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.hlim',
  'vlan.id',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.len',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'sctp.srcport',
  'sctp.dstport',
];

const tsharkAvailable = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const ready = tsharkAvailable && hasSharedData('captures/public');
const describeIfReady = ready ? describe : describe.skip;
const why = tsharkAvailable
  ? '../shared/captures/public is absent'
  : 'tshark is not installed (apt-get install -y tshark)';

function runTshark(file: string, fields: string[]): string[][] {
  const out = execFileSync(
    'tshark',
    [
      '-n',
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'separator=/t',
      '-E',
      'occurrence=f',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return out
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.split('\t'));
}

describeIfReady(
  ready
    ? 'decoder agrees with the installed tshark on every field (one combined capture)'
    : `tshark cross-check skipped: ${why}`,
  () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'packet-tshark-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('all public captures, rewritten by our pcapng writer', () => {
      const manifest = readFileSync(sharedPath('captures', 'MANIFEST.tsv'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('public\t'));
      const writer = new PcapngWriter({ userApplication: 'retina packet conformance' });
      const packets: CapturePacket[] = [];
      const interfaceIndex = new Map<object, number>();
      for (const line of manifest) {
        const file = line.split('\t')[1]!;
        for (const packet of readCapture(readFileSync(sharedPath('captures', 'public', file))).packets) {
          let index = interfaceIndex.get(packet.interface);
          if (index === undefined) {
            index = writer.addInterface({
              linkType: packet.interface.linkType,
              name: `${file}#${packet.interface.index}`,
            });
            interfaceIndex.set(packet.interface, index);
          }
          writer.addPacket({
            interfaceIndex: index,
            timestampSec: packet.timestampSec,
            timestampNsec: packet.timestampNsec,
            data: packet.data,
            originalLength: packet.originalLength,
          });
          packets.push(packet);
        }
      }
      const combined = path.join(dir, 'combined.pcapng');
      writeFileSync(combined, writer.toBytes());
      const rows = runTshark(combined, FIELDS);
      expect(rows).toHaveLength(packets.length);
      const reassembler = new FragmentReassembler();
      const disagreements: string[] = [];
      packets.forEach((captured, index) => {
        let packet = decodePacket(captured, captured.interface.linkType);
        const result = reassembler.push(packet);
        if (result.kind === 'reassembled') packet = result.packet;
        const ours = tsharkFields(captured, packet);
        FIELDS.forEach((field, column) => {
          const theirs = rows[index]![column] ?? '';
          if (ours[field] !== theirs)
            disagreements.push(
              `combined frame ${index + 1} (${captured.interface.name ?? ''} frame ${captured.frame}) ${field}: ours ${JSON.stringify(ours[field])}, tshark ${JSON.stringify(theirs)}`,
            );
        });
      });
      expect(disagreements.slice(0, 20)).toEqual([]);
    });

    it('a trace batch keeps interface names, direction and nanoseconds through tshark', () => {
      const writer = new PcapngWriter({
        userApplication: 'retina-agent test',
        customOptions: [{ pen: 311, value: 'cluster=aks-1' }],
      });
      const pod = writer.addInterface({ linkType: 1, name: 'NodeToPod/eth0' });
      const node = writer.addInterface({ linkType: 276, name: 'NodeToNetwork/eth1' });
      const frame = (linkType: number) =>
        craftFrame({
          source: '10.0.0.1',
          destination: '10.0.0.2',
          transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 },
          linkType,
        });
      writer.addPacket({
        interfaceIndex: pod,
        timestampSec: 1700000000,
        timestampNsec: 123456789,
        data: frame(1),
        direction: 'inbound',
      });
      writer.addPacket({
        interfaceIndex: node,
        timestampSec: 1700000001,
        timestampNsec: 1,
        data: frame(276),
        direction: 'outbound',
        comment: 'hi',
      });
      const file = path.join(dir, 'batch.pcapng');
      writeFileSync(file, writer.toBytes());
      expect(
        runTshark(file, [
          'frame.interface_name',
          'frame.packet_flags_direction',
          'frame.time_epoch',
          'udp.dstport',
        ]),
      ).toEqual([
        ['NodeToPod/eth0', '0x00000001', '1700000000.123456789', '2'],
        ['NodeToNetwork/eth1', '0x00000002', '1700000001.000000001', '2'],
      ]);
    });
  },
);
