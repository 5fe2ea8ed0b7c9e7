import {
  DEFAULT_SECRET_QUERY_KEYS,
  REDACTED,
  redactRequestTarget,
  secretKeyTest,
} from '../../shared/l7/redact';
import { TRUNCATION_MARKER } from '../../shared/l7/truncate';

describe('redactRequestTarget', () => {
  it.each([
    ['empty', '', ''],
    ['no query', '/index.html', '/index.html'],
    ['harmless query', '/search?q=cats&page=2', '/search?q=cats&page=2'],
    ['token', '/api?token=abc&x=1', `/api?token=${REDACTED}&x=1`],
    ['case-insensitive', '/a?Access_Token=abc', `/a?Access_Token=${REDACTED}`],
    ['Azure SAS sig', '/c/b?sv=2022-11-02&se=2030&sig=AbC%2Bd', `/c/b?sv=2022-11-02&se=2030&sig=${REDACTED}`],
    [
      'AWS presigned',
      '/o?X-Amz-Credential=AK&X-Amz-Signature=ff',
      `/o?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}`,
    ],
    ['OAuth code', '/cb?code=xyz&state=s', `/cb?code=${REDACTED}&state=s`],
    ['fragment of a secret name', '/u?upload_token=1', `/u?upload_token=${REDACTED}`],
    ['percent-encoded name', '/p?pass%77ord=1', `/p?pass%77ord=${REDACTED}`],
    ['bad percent-encoding kept', '/p?%zz=1', '/p?%zz=1'],
    ['key without value', '/p?token&a=b', '/p?token&a=b'],
    ['empty value', '/p?password=', `/p?password=${REDACTED}`],
    ['fragment kept', '/p?key=1#frag', `/p?key=${REDACTED}#frag`],
    ['not a secret: monkey', '/zoo?monkey=1', '/zoo?monkey=1'],
    ['absolute-form userinfo', 'http://user:pw@host/x?sig=1', `http://${REDACTED}@host/x?sig=${REDACTED}`],
    ['absolute-form without userinfo', 'http://host/a@b', 'http://host/a@b'],
  ])('%s', (_name, input, expected) => {
    expect(redactRequestTarget(input)).toBe(expected);
  });

  it('bounds the result to 2048 characters with the truncation marker', () => {
    const long = '/' + 'a'.repeat(5000);
    const result = redactRequestTarget(long);
    expect(result).toHaveLength(2048);
    expect(result.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('accepts a configured key list', () => {
    const isSecret = secretKeyTest(['session_id']);
    expect(redactRequestTarget('/a?session_id=1&key=2', isSecret)).toBe(`/a?session_id=${REDACTED}&key=2`);
    expect(DEFAULT_SECRET_QUERY_KEYS).toContain('api_key');
  });
});
