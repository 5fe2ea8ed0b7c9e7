import { formatPath, formatReason } from '../../shared/config/issues';
import { caseInsensitivePattern, matchEnum } from '../../shared/config/enumText';
import { closestField } from '../../shared/config/unknownFields';
import { secretKind } from '../../shared/config/normaliseOutput';

describe('formatPath', () => {
  it.each<[(string | number)[], string]>([
    [[], ''],
    [['spec'], 'spec'],
    [
      ['spec', 'traceConfigurations', 0, 'from', 0, 'ipBlock', 'except', 1],
      'spec.traceConfigurations[0].from[0].ipBlock.except[1]',
    ],
    [['matchLabels', 'app.kubernetes.io/name'], 'matchLabels["app.kubernetes.io/name"]'],
    [['a', 'with space'], 'a["with space"]'],
    [[0], '[0]'],
  ])('%j is %s', (segments, expected) => {
    expect(formatPath(segments)).toBe(expected);
  });

  it('formats reasons', () => {
    expect(formatReason([])).toBe('');
    expect(
      formatReason([
        { path: '', message: 'a' },
        { path: 'b', message: 'c' },
      ]),
    ).toBe('a; b: c');
  });
});

describe('enumerations', () => {
  it.each<[string, string | undefined]>([
    ['firstpacket', 'FirstPacket'],
    ['FIRSTPACKET', 'FirstPacket'],
    ['AllPackets', 'AllPackets'],
    ['', undefined],
    ['first packet', undefined],
  ])('matchEnum %j', (text, expected) => {
    expect(matchEnum(['FirstPacket', 'AllPackets'], text)).toBe(expected);
  });

  it.each([
    ['tcp', true],
    ['TcP', true],
    ['SCTP', true],
    ['tcpx', false],
    ['', false],
  ])('case-insensitive pattern accepts %j: %s', (text, expected) => {
    expect(new RegExp(caseInsensitivePattern(['TCP', 'UDP', 'SCTP'])).test(text)).toBe(expected);
  });
});

describe('helpers', () => {
  it.each<[string, string | undefined]>([
    ['tracepoint', 'tracePoints'],
    ['captureLvl', 'captureLevel'],
    ['zzz', undefined],
    ['', undefined],
  ])('closestField %j', (key, expected) => {
    expect(closestField(key, ['tracePoints', 'captureLevel', 'from'])).toBe(expected);
  });

  it.each<[string, string | undefined]>([
    ['TRACES_STORAGE', undefined],
    ['', undefined],
    ['design=signature', undefined],
    ['x;AccountKey=abc', 'an AccountKey='],
    ['https://a/b?sv=1&sig=abc', 'a SAS signature (sig=)'],
    ['authorization: Bearer abc', 'a bearer token'],
  ])('secretKind %j', (text, expected) => {
    expect(secretKind(text)).toBe(expected);
  });
});
