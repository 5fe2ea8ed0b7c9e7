import { readFileSync } from 'node:fs';
import { readCapture } from '../../shared/capture/readCapture';
import { decodePacket } from '../../shared/packet/decodePacket';
import { FragmentReassembler } from '../../shared/packet/fragmentReassembler';
import { describeWithSharedData, hasSharedData, sharedPath } from '../support/sharedData';
import { tsharkFields } from '../support/tsharkRow';
import { TSHARK_DIFFERENCES } from './tsharkDifferences';

/** Oracle columns this decoder is responsible for (layers 2–4 and timestamps). */
const COMPARED = [
  'frame.time_epoch',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'tcp.flags',
];

function publicCaptures(): string[] {
  if (!hasSharedData('captures/MANIFEST.tsv')) return [];
  return readFileSync(sharedPath('captures', 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('public\t'))
    .map((line) => line.split('\t')[1]!);
}

function oracleRows(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(sharedPath('captures', 'oracle', `${file}.tsv`), 'utf8')
    .replace(/\n$/, '')
    .split('\n');
  const names = header!.split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

describeWithSharedData('captures/oracle', 'L2–L4 decoding agrees with the tshark 4.0 oracle', () => {
  const files = publicCaptures();

  it('covers every public capture of the manifest', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s', (file) => {
    const capture = readCapture(readFileSync(sharedPath('captures', 'public', file)));
    expect(capture.problems).toEqual([]);
    const skipped = new Set(TSHARK_DIFFERENCES.find((d) => d.file === file)?.nonPacketFrames ?? []);
    const oracle = oracleRows(file).filter((row) => !skipped.has(Number(row['frame.number'])));
    expect(capture.packets).toHaveLength(oracle.length);
    const reassembler = new FragmentReassembler();
    const disagreements: string[] = [];
    capture.packets.forEach((captured, index) => {
      let packet = decodePacket(captured, captured.interface.linkType);
      const result = reassembler.push(packet);
      if (result.kind === 'reassembled') packet = result.packet;
      const ours = tsharkFields(captured, packet);
      const theirs = oracle[index]!;
      for (const field of COMPARED) {
        if (ours[field] !== theirs[field]) {
          disagreements.push(
            `frame ${captured.frame} (tshark ${theirs['frame.number']}) ${field}: ours ${JSON.stringify(ours[field])}, tshark ${JSON.stringify(theirs[field])}`,
          );
        }
      }
    });
    expect(disagreements).toEqual([]);
  });
});
