import { alpnText } from '../../shared/l7/alpnText';

describe('alpnText', () => {
  it.each([
    ['h2', 'h2'],
    ['http/1.1', 'http/1.1'],
    ['', ''],
    ['\x0a\x1a', '\\x0a\\x1a'],
    ['a\\b', 'a\\\\b'],
    ['\\x41', '\\\\x41'],
    ['caf\xe9', 'caf\\xe9'],
    ['sp ace', 'sp ace'],
  ])('%j is shown as %j', (id, text) => {
    expect(alpnText(id)).toBe(text);
  });

  it('is unambiguous: different ids never render the same', () => {
    const ids = ['\\x41', 'A', '\x41', '\\\\', '\\', '\x5c\x78\x34\x31'];
    const rendered = new Set(ids.map(alpnText));
    expect(rendered.size).toBe(new Set(ids).size);
  });
});
