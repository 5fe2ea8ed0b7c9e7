import {
  frameMatches,
  matchingFrames,
  rangeOverlaps,
  type PacketQuery,
} from '../../shared/retention/packetQuery';
import { parseTimeOption, pcapQuery } from '../../shared/retention/pcapCommand';
import {
  captureRef,
  parseCaptureRef,
  pathSegment,
  retainedBlobHourMs,
  retainedBlobName,
} from '../../shared/retention/retainedBlobName';
import {
  decodeRetentionIndex,
  encodeRetentionIndex,
  parseRetentionIndex,
  type RetentionIndex,
} from '../../shared/retention/retentionIndex';

const INDEX: RetentionIndex = {
  version: 1,
  blob: 'retained/c/n/2026/03/01/12/abc.pcapng.gz',
  cluster: 'c',
  node: 'n',
  fromNs: '100',
  toNs: '300',
  retainDays: 7,
  frames: [
    { ns: '100', offset: 100, flow: 'f1', pods: ['shop/a'], records: ['r1'] },
    { ns: '200', offset: 200, flow: 'f2', communityId: '1:abc=', pods: ['shop/a', 'shop/b'] },
    { ns: '300', offset: 300, flow: 'f1', records: ['r2', 'r2-1'] },
    { ns: '300', offset: 400 },
  ],
};

describe('matchingFrames', () => {
  it.each<[string, PacketQuery, number[]]>([
    ['a record', { selector: { kind: 'record', recordId: 'r2-1' } }, [3]],
    ['a record that is not there', { selector: { kind: 'record', recordId: 'r9' } }, []],
    ['a flow', { selector: { kind: 'flow', flowId: 'f1' } }, [1, 3]],
    ['a flow from a time', { selector: { kind: 'flow', flowId: 'f1' }, fromNs: 101n }, [3]],
    ['a flow up to a time', { selector: { kind: 'flow', flowId: 'f1' }, toNs: 100n }, [1]],
    ['a Community ID', { selector: { kind: 'communityId', communityId: '1:abc=' } }, [2]],
    ['a pod', { selector: { kind: 'pod', pod: 'shop/a' } }, [1, 2]],
    ['an empty pod name', { selector: { kind: 'pod', pod: '' } }, []],
  ])('%s', (_name, query, frames) => {
    expect(matchingFrames(INDEX, query)).toEqual(frames);
  });

  it('never matches a frame without the field asked for', () => {
    expect(frameMatches({ ns: '1', offset: 0 }, { kind: 'flow', flowId: '' })).toBe(false);
  });

  it.each([
    [{}, 1n, 2n, true],
    [{ fromNs: 3n }, 1n, 2n, false],
    [{ toNs: 0n }, 1n, 2n, false],
    [{ fromNs: 2n, toNs: 2n }, 1n, 2n, true],
    [{ fromNs: 5n }, undefined, undefined, true],
  ])('range %j overlaps [%s, %s]: %s', (range, from, to, expected) => {
    expect(rangeOverlaps({ selector: { kind: 'flow', flowId: 'x' }, ...range }, from, to)).toBe(expected);
  });
});

describe('pcap options', () => {
  it.each([
    ['2026-03-01T12:00:00Z', 1_772_366_400_000_000_000n],
    ['2026-03-01T12:00:00.123456789Z', 1_772_366_400_123_456_789n],
    ['2026-03-01T13:00:00+01:00', 1_772_366_400_000_000_000n],
    ['1772366400000000001', 1_772_366_400_000_000_001n],
  ])('time %s', (text, ns) => {
    expect(parseTimeOption('--from', text)).toBe(ns);
  });

  it.each([['yesterday'], ['12:00'], [''], ['2026-13-45T00:00:00Z']])(
    'rejects time %j naming the flag',
    (text) => {
      expect(() => parseTimeOption('--to', text)).toThrow(/--to must be an ISO 8601 time/);
    },
  );

  it.each([
    [{ output: 'x' }, /exactly one of/],
    [{ output: 'x', flow: 'a', pod: 'b/c' }, /exactly one of/],
    [{ output: 'x', pod: 'b' }, /NAMESPACE\/NAME/],
    [{ output: 'x', flow: 'a', from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, /after --to/],
  ])('rejects %j', (options, message) => {
    expect(() => pcapQuery(options)).toThrow(message);
  });

  it('builds a query', () => {
    expect(pcapQuery({ output: '-', communityId: '1:x', cluster: 'c', to: '1772366400000000000' })).toEqual({
      selector: { kind: 'communityId', communityId: '1:x' },
      cluster: 'c',
      toNs: 1_772_366_400_000_000_000n,
    });
  });
});

describe('retained blob names', () => {
  it.each([
    ['aks-1', 'aks-1'],
    ['a/b', 'a%2Fb'],
    ['50%', '50%25'],
    ['', '_'],
    ['tab\there', 'tab%09here'],
  ])('path segment of %j is %j', (name, segment) => {
    expect(pathSegment(name)).toBe(segment);
  });

  it('places a blob in the hour of its first packet', () => {
    const name = retainedBlobName('c/x', 'n', Date.UTC(2026, 11, 31, 23, 59, 59), 'id');
    expect(name).toBe('retained/c%2Fx/n/2026/12/31/23/id.pcapng.gz');
    expect(retainedBlobHourMs(name)).toBe(Date.UTC(2026, 11, 31, 23));
    expect(retainedBlobHourMs('deadletter/x.ndjson')).toBeUndefined();
  });

  it.each([
    [
      'retained/c/n/2026/03/01/12/a.pcapng.gz#7',
      { blob: 'retained/c/n/2026/03/01/12/a.pcapng.gz', frame: 7 },
    ],
    ['blob#0', undefined],
    ['blob#x', undefined],
    ['#3', undefined],
    ['no-frame', undefined],
    ['', undefined],
  ])('CaptureRef %j', (ref, parsed) => {
    expect(parseCaptureRef(ref)).toEqual(parsed);
  });

  it('round-trips a CaptureRef', () => {
    expect(parseCaptureRef(captureRef('a#b', 12))).toEqual({ blob: 'a#b', frame: 12 });
  });
});

describe('parseRetentionIndex', () => {
  it('reads a valid index', () => {
    expect(parseRetentionIndex(JSON.stringify(INDEX), 'x')).toEqual(INDEX);
  });

  it.each([
    ['not JSON', '{', /x\.idx\.json: not JSON/],
    ['a wrong version', JSON.stringify({ ...INDEX, version: 2 }), /at version/],
    [
      'a bad frame time',
      JSON.stringify({ ...INDEX, frames: [{ ns: 'soon', offset: 0 }] }),
      /at frames\.0\.ns/,
    ],
    [
      'an unknown field',
      JSON.stringify({ ...INDEX, extra: 1 }),
      /RETENTION_INDEX_INVALID|extra|Unrecognized/,
    ],
    ['nothing', 'null', /at \(root\)/],
  ])('rejects %s naming where', (_name, text, message) => {
    expect(() => parseRetentionIndex(text, 'x.idx.json')).toThrow(message);
  });
});

describe('index blob bytes', () => {
  it('round-trips through gzip, and reads plain JSON too', () => {
    const bytes = encodeRetentionIndex(INDEX);
    expect(bytes[0]).toBe(0x1f);
    expect(decodeRetentionIndex(bytes, 'x')).toEqual(INDEX);
    expect(decodeRetentionIndex(Buffer.from(JSON.stringify(INDEX)), 'x')).toEqual(INDEX);
  });

  it.each([
    ['damaged gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), /x: damaged gzip/],
    ['empty', Buffer.alloc(0), /x: not JSON/],
  ])('rejects %s naming the blob', (_name, bytes, message) => {
    expect(() => decodeRetentionIndex(bytes, 'x')).toThrow(message);
  });
});
