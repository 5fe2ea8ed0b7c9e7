import { initialKeys } from '../../shared/l7/quicInitial';
import { QuicKeyCache } from '../../shared/l7/quicKeyCache';
import { bytes } from './support/builders';

const DCID = Buffer.from('8394c8f03e515708', 'hex');

describe('QuicKeyCache', () => {
  it('returns what initialKeys derives, deriving it once', () => {
    const cache = new QuicKeyCache();
    const first = cache.keys(1, DCID, 'client');
    expect(first).toEqual(initialKeys(1, DCID, 'client'));
    expect(cache.keys(1, Buffer.from(DCID), 'client')).toBe(first);
    expect(cache.size).toBe(1);
  });

  it('keeps versions, sides and connection ids apart', () => {
    const cache = new QuicKeyCache();
    const entries = [
      cache.keys(1, DCID, 'client'),
      cache.keys(1, DCID, 'server'),
      cache.keys(0x6b3343cf, DCID, 'client'),
      cache.keys(1, DCID.subarray(0, 7), 'client'),
      cache.keys(1, bytes(), 'client'),
    ];
    expect(cache.size).toBe(5);
    expect(entries).toEqual([
      initialKeys(1, DCID, 'client'),
      initialKeys(1, DCID, 'server'),
      initialKeys(0x6b3343cf, DCID, 'client'),
      initialKeys(1, DCID.subarray(0, 7), 'client'),
      initialKeys(1, bytes(), 'client'),
    ]);
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = new QuicKeyCache(2);
    const oldest = cache.keys(1, bytes(1), 'client');
    const kept = cache.keys(1, bytes(2), 'client');
    cache.keys(1, bytes(3), 'client');
    expect(cache.size).toBe(2);
    expect(cache.keys(1, bytes(2), 'client')).toBe(kept);
    const again = cache.keys(1, bytes(1), 'client');
    expect(again).not.toBe(oldest);
    expect(again).toEqual(oldest);
    expect(cache.size).toBe(2);
  });

  it('caches nothing for an unknown version, and forgets on clear', () => {
    const cache = new QuicKeyCache();
    expect(cache.keys(0x12345678, DCID, 'client')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.keys(1, DCID, 'client');
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
