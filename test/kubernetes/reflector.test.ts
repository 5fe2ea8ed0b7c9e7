import { Reflector, type ChangeType, type KubeObject } from '../../shared/kubernetes/reflector';
import { eventually, pod, useFakeApiServer } from './support';

describe('Reflector (list+watch)', () => {
  const { server, config } = useFakeApiServer();

  function start(pageSize = 500) {
    const events: string[] = [];
    const syncs: boolean[] = [];
    const reflector = new Reflector<KubeObject>(
      config(),
      { apiVersion: 'v1', kind: 'Pod', plural: 'pods', pageSize, backoff: { initialInMs: 20, maxInMs: 100 } },
      {
        onChange: (type: ChangeType, o) => events.push(`${type} ${o.metadata?.name}`),
        onSynced: (relist) => syncs.push(relist),
      },
    );
    return { reflector, events, syncs, started: reflector.start() };
  }

  const serverNames = () =>
    server()
      .store.list(server().resource('Pod'), undefined, () => true)
      .items.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`);
  const cachedNames = (r: Reflector<KubeObject>) =>
    r
      .list()
      .map((p) => `${p.metadata?.name}@${p.metadata?.resourceVersion}`)
      .sort();

  it('lists in pages, then follows the watch', async () => {
    for (const name of ['a', 'b', 'c']) server().apply(pod('shop', name));
    const { reflector, events, started } = start(2);
    await started;
    expect(events).toEqual(['added a', 'added b', 'added c']);
    expect(
      server().requests.filter((r) => r.path === '/api/v1/pods' && r.query.includes('limit=2')),
    ).toHaveLength(2);
    server().apply(pod('shop', 'd'));
    server().remove('Pod', 'shop', 'a');
    await eventually('the watch events', () => events.length === 5);
    expect(events.slice(3)).toEqual(['added d', 'deleted a']);
    await reflector.stop();
  });

  it('resumes a dropped watch from the last resourceVersion: every change once', async () => {
    for (const name of ['a', 'b']) server().apply(pod('shop', name));
    const { reflector, events, syncs, started } = start();
    await started;
    await eventually('the watch', () => server().watchCount === 1);
    server().closeWatches();
    server().apply(pod('shop', 'b', { labels: { v: '1' } }));
    server().apply(pod('shop', 'b', { labels: { v: '2' } }));
    server().remove('Pod', 'shop', 'a');
    await eventually('the replayed changes', () => events.length === 5);
    expect(events).toEqual(['added a', 'added b', 'modified b', 'modified b', 'deleted a']);
    expect(syncs).toEqual([false]);
    expect(reflector.stats.relists).toBe(0);
    expect(cachedNames(reflector)).toEqual(serverNames());
    await reflector.stop();
  });

  it('relists after 410 Gone and reports exactly the missed changes: nothing lost, nothing twice', async () => {
    for (const name of ['a', 'b', 'c']) server().apply(pod('shop', name));
    const { reflector, events, syncs, started } = start();
    await started;
    await eventually('the watch', () => server().watchCount === 1);
    server().closeWatches();
    server().apply(pod('shop', 'd'));
    server().apply(pod('shop', 'b', { labels: { v: '1' } }));
    server().apply(pod('shop', 'b', { labels: { v: '2' } }));
    server().remove('Pod', 'shop', 'a');
    server().store.compact();
    await eventually('the relist', () => syncs.length === 2);
    expect(syncs).toEqual([false, true]);
    expect(reflector.stats.relists).toBe(1);
    expect(events.slice(3).sort()).toEqual(['added d', 'deleted a', 'modified b']);
    expect(cachedNames(reflector)).toEqual(serverNames());
    server().apply(pod('shop', 'e'));
    await eventually('watching again after the relist', () => events.includes('added e'));
    await reflector.stop();
  });

  it('bookmarks keep its resourceVersion current, so a reconnect after compaction needs no relist', async () => {
    server().apply(pod('shop', 'a'));
    const { reflector, syncs, started } = start();
    await started;
    // Changes to other kinds move the store's version past the pods' last event.
    for (let i = 0; i < 5; i++)
      server().apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'shop', name: `s${i}` },
        spec: {},
      });
    await eventually(
      'a bookmark with the new version',
      () => reflector.resourceVersion === server().store.resourceVersion,
    );
    expect(reflector.stats.bookmarks).toBeGreaterThan(0);
    server().store.compact();
    server().closeWatches();
    await eventually('the new watch', () => server().watchCount === 1);
    expect(syncs).toEqual([false]);
    expect(reflector.stats.relists).toBe(0);
    await reflector.stop();
  });

  it('backs off while the API server is unavailable and recovers without a duplicate', async () => {
    server().apply(pod('shop', 'a'));
    server().unavailable = true;
    const { reflector, events, started } = start();
    await started;
    await eventually('a few failed attempts', () => reflector.stats.errors >= 3);
    expect(reflector.hasSynced).toBe(false);
    server().unavailable = false;
    await eventually('the list', () => reflector.hasSynced);
    server().unavailable = true;
    server().closeWatches();
    await eventually('a failed rewatch', () => reflector.stats.errors >= 4);
    server().apply(pod('shop', 'b'));
    server().unavailable = false;
    await eventually('the change after recovery', () => events.length === 2);
    expect(events).toEqual(['added a', 'added b']);
    await reflector.stop();
  });
});
