import { CaptureParser, CollectingSink, detectCaptureFormat } from '../../shared/capture/captureParser';
import { PcapngWriter } from '../../shared/capture/pcapngWriter';

function capture(packets: number): Uint8Array {
  const writer = new PcapngWriter();
  writer.addInterface({ linkType: 1 });
  for (let i = 0; i < packets; i++)
    writer.addPacket({
      interfaceIndex: 0,
      timestampSec: i,
      timestampNsec: 0,
      data: new Uint8Array(20).fill(i),
    });
  return writer.toBytes();
}

describe('detectCaptureFormat', () => {
  it.each([
    [Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), 'pcapng'],
    [Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1), 'pcap'],
    [Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4), 'pcap'],
    [Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1), 'pcap'],
    [Uint8Array.of(0x1f, 0x8b, 0x08, 0x00), undefined],
    [Uint8Array.of(0x0a, 0x0d, 0x0d), undefined],
    [new Uint8Array(0), undefined],
  ])('%s → %s', (bytes, expected) => {
    expect(detectCaptureFormat(bytes)).toBe(expected);
  });
});

describe('CaptureParser', () => {
  it.each([1, 2, 13, 100])('gives the same packets whatever the chunk size (%s)', (size) => {
    const bytes = capture(5);
    const sink = new CollectingSink();
    const parser = new CaptureParser(sink);
    for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
    parser.end();
    expect(sink.problems).toEqual([]);
    expect(sink.packets.map((p) => [p.frame, p.timestampSec, p.data[0]])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [i + 1, i, i]),
    );
  });

  it('drain parses at most the requested number of records', () => {
    const sink = new CollectingSink();
    const parser = new CaptureParser(sink);
    parser.feed(capture(5));
    // Section header + interface block, then packets.
    expect(parser.drain(true, 3)).toBe(3);
    expect(sink.packets).toHaveLength(1);
    expect(parser.drain(true, 100)).toBe(4);
    expect(sink.packets).toHaveLength(5);
    expect(parser.drain(true, 100)).toBe(0);
    expect(parser.done).toBe(true);
  });

  it('ignores input after a fatal problem', () => {
    const sink = new CollectingSink();
    const parser = new CaptureParser(sink);
    parser.push(new TextEncoder().encode('GIF89a'));
    parser.push(capture(2));
    parser.end();
    expect(parser.done).toBe(true);
    expect(sink.packets).toEqual([]);
    expect(sink.problems.map((p) => p.code)).toEqual(['CAPTURE_UNKNOWN_FORMAT']);
    expect(sink.problems[0]!.message).toBe('not a pcap or pcapng capture: the first bytes are [47 49 46 38]');
  });

  it('waits for four bytes before deciding the format', () => {
    const sink = new CollectingSink();
    const parser = new CaptureParser(sink);
    parser.push(Uint8Array.of(0x0a, 0x0d));
    expect(parser.format).toBeUndefined();
    expect(sink.problems).toEqual([]);
    parser.push(capture(1).subarray(2));
    parser.end();
    expect([parser.format, sink.packets.length]).toEqual(['pcapng', 1]);
  });
});
