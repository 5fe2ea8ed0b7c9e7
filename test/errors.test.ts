import { runInNewContext } from 'node:vm';
import { errorMessage, toError } from '../shared/errors';

describe('toError', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['an Error from another realm', runInNewContext('new RangeError("far")'), 'far'],
    ['a string', 'text', 'text'],
    ['an object', { a: 1 }, '{"a":1}'],
    ['null', null, 'null'],
  ])('%s', (_name, caught, message) => {
    expect(errorMessage(caught)).toBe(message);
    expect(toError(caught)).toHaveProperty('message', message);
  });
});
