import { k8s } from '../../../shared/kubernetes/clientNode';
import { eventually, pod, useFakeApiServer } from '../../kubernetes/support';

const TRACE = {
  apiVersion: 'retina.sh/v1alpha1',
  kind: 'TraceConfiguration',
  metadata: { namespace: 'shop', name: 'web' },
  spec: { a: 1 },
};

describe('fake Kubernetes API server, driven by @kubernetes/client-node', () => {
  const { server, config } = useFakeApiServer();

  it('serves discovery, create, read and list through KubernetesObjectApi', async () => {
    const api = k8s.KubernetesObjectApi.makeApiClient(config());
    await api.create(pod('shop', 'a', { ip: '10.0.0.1' }) as never);
    await api.create(pod('shop', 'b', { ip: '10.0.0.2' }) as never);
    await api.create(pod('other', 'c', { ip: '10.0.0.3' }) as never);
    const read = await api.read({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'shop', name: 'a' },
    });
    expect(read.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    const all = await api.list('v1', 'Pod');
    expect(all.items.map((p) => p.metadata?.name)).toEqual(['c', 'a', 'b']);
    const inShop = await api.list('v1', 'Pod', 'shop');
    expect(inShop.items).toHaveLength(2);
    const paged = await api.list(
      'v1',
      'Pod',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      2,
    );
    expect(paged.items).toHaveLength(2);
    expect(paged.metadata?._continue).toBeTruthy();
    const rest = await api.list(
      'v1',
      'Pod',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      2,
      paged.metadata?._continue,
    );
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(['b']);
    expect(rest.metadata?.resourceVersion).toBe(paged.metadata?.resourceVersion);
  });

  it('answers 404 for unknown objects and 409 for a taken name', async () => {
    const api = k8s.KubernetesObjectApi.makeApiClient(config());
    await expect(
      api.read({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop', name: 'nope' } }),
    ).rejects.toMatchObject({ code: 404 });
    await api.create(pod('shop', 'a') as never);
    await expect(api.create(pod('shop', 'a') as never)).rejects.toMatchObject({ code: 409 });
  });

  it('filters by label and field selectors; a bad selector is a 400', async () => {
    server().apply(pod('shop', 'a', { labels: { app: 'web', tier: 'front' }, node: 'n1' }));
    server().apply(pod('shop', 'b', { labels: { app: 'db' }, node: 'n2' }));
    const api = k8s.KubernetesObjectApi.makeApiClient(config());
    const names = async (field?: string, label?: string) =>
      (await api.list('v1', 'Pod', undefined, undefined, undefined, undefined, field, label)).items.map(
        (p) => p.metadata?.name,
      );
    expect(await names(undefined, 'app=web')).toEqual(['a']);
    expect(await names(undefined, 'app in (web,db),!tier')).toEqual(['b']);
    expect(await names(undefined, 'app notin (web)')).toEqual(['b']);
    expect(await names('spec.nodeName=n2')).toEqual(['b']);
    expect(await names('spec.nodeName!=n2')).toEqual(['a']);
    await expect(names(undefined, 'app in web')).rejects.toMatchObject({ code: 400 });
  });

  it('rejects a stale resourceVersion with 409 and bumps generation only when the spec changes', async () => {
    const custom = config().makeApiClient(k8s.CustomObjectsApi);
    const created = (await custom.createNamespacedCustomObject({
      group: 'retina.sh',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'traceconfigurations',
      body: { ...TRACE, status: { state: 'Accepted' } },
    })) as typeof TRACE & { metadata: { resourceVersion: string; generation: number }; status?: unknown };
    expect(created.status).toBeUndefined();
    expect(created.metadata.generation).toBe(1);
    const labelled = (await custom.replaceNamespacedCustomObject({
      group: 'retina.sh',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'traceconfigurations',
      name: 'web',
      body: { ...created, metadata: { ...created.metadata, labels: { a: 'b' } } },
    })) as typeof created;
    expect(labelled.metadata.generation).toBe(1);
    await expect(
      custom.replaceNamespacedCustomObject({
        group: 'retina.sh',
        version: 'v1alpha1',
        namespace: 'shop',
        plural: 'traceconfigurations',
        name: 'web',
        body: { ...created, spec: { a: 2 } },
      }),
    ).rejects.toMatchObject({ code: 409 });
    const changed = (await custom.replaceNamespacedCustomObject({
      group: 'retina.sh',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'traceconfigurations',
      name: 'web',
      body: { ...labelled, spec: { a: 2 } },
    })) as typeof created;
    expect(changed.metadata.generation).toBe(2);
  });

  it('writes status only through the status subresource', async () => {
    const custom = config().makeApiClient(k8s.CustomObjectsApi);
    const base = {
      group: 'retina.sh',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'traceconfigurations',
      name: 'web',
    };
    const created = (await custom.createNamespacedCustomObject({ ...base, body: TRACE })) as Record<
      string,
      unknown
    >;
    const viaMain = (await custom.replaceNamespacedCustomObject({
      ...base,
      body: { ...created, status: { state: 'Accepted' } },
    })) as Record<string, unknown>;
    expect(viaMain.status).toBeUndefined();
    const viaStatus = (await custom.replaceNamespacedCustomObjectStatus({
      ...base,
      body: { ...viaMain, spec: { changed: true }, status: { state: 'Accepted' } },
    })) as Record<string, unknown>;
    expect(viaStatus.status).toEqual({ state: 'Accepted' });
    expect(viaStatus.spec).toEqual({ a: 1 });
    await expect(
      custom.replaceNamespacedCustomObjectStatus({
        ...base,
        body: { ...viaMain, status: { state: 'Errored' } },
      }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('keeps an object with finalizers until the last one is removed', async () => {
    const custom = config().makeApiClient(k8s.CustomObjectsApi);
    const base = {
      group: 'retina.sh',
      version: 'v1alpha1',
      namespace: 'shop',
      plural: 'traceconfigurations',
      name: 'web',
    };
    await custom.createNamespacedCustomObject({
      ...base,
      body: { ...TRACE, metadata: { ...TRACE.metadata, finalizers: ['x/y'] } },
    });
    await custom.deleteNamespacedCustomObject(base);
    const marked = (await custom.getNamespacedCustomObject(base)) as {
      metadata: { deletionTimestamp?: string; finalizers: string[] };
    };
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    await expect(
      custom.replaceNamespacedCustomObject({
        ...base,
        body: { ...marked, metadata: { ...marked.metadata, finalizers: ['x/y', 'new/one'] } },
      }),
    ).rejects.toMatchObject({ code: 422 });
    await custom.replaceNamespacedCustomObject({
      ...base,
      body: { ...marked, metadata: { ...marked.metadata, finalizers: [] } },
    });
    await expect(custom.getNamespacedCustomObject(base)).rejects.toMatchObject({ code: 404 });
  });

  it('streams watch events with bookmarks, resumes from a resourceVersion, and reports gone versions as 410', async () => {
    server().apply(pod('shop', 'a'));
    const events: { type: string; name?: string; rv?: string }[] = [];
    const watch = new k8s.Watch(config());
    const controller = await watch.watch(
      '/api/v1/pods',
      { allowWatchBookmarks: true, resourceVersion: '0' },
      (type, object: { metadata?: { name?: string; resourceVersion?: string } }) =>
        events.push({ type, name: object.metadata?.name, rv: object.metadata?.resourceVersion }),
      () => undefined,
    );
    server().apply(pod('shop', 'b'));
    server().remove('Pod', 'shop', 'a');
    await eventually('a bookmark after the changes', () => events.some((e) => e.type === 'BOOKMARK'));
    expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.name}`)).toEqual([
      'ADDED a',
      'ADDED b',
      'DELETED a',
    ]);
    controller.abort();

    const resumed: string[] = [];
    const fromVersion = events[1]!.rv!;
    const second = await watch.watch(
      '/api/v1/pods',
      { resourceVersion: fromVersion },
      (type, object: { metadata?: { name?: string } }) => resumed.push(`${type} ${object.metadata?.name}`),
      () => undefined,
    );
    await eventually('the replayed delete', () => resumed.length === 1);
    expect(resumed).toEqual(['DELETED a']);
    second.abort();

    server().store.compact();
    const gone: { type: string; code?: number }[] = [];
    let ended = false;
    await watch.watch(
      '/api/v1/pods',
      { resourceVersion: fromVersion },
      (type, object: { code?: number }) => gone.push({ type, code: object.code }),
      () => (ended = true),
    );
    await eventually('the watch to end', () => ended);
    expect(gone).toEqual([{ type: 'ERROR', code: 410 }]);
  });

  it("keeps client-node's own informer in step through a compaction and a dropped watch", async () => {
    server().apply(pod('shop', 'a'));
    const informer = k8s.makeInformer(config(), '/api/v1/namespaces/shop/pods', () =>
      config().makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'shop' }),
    );
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    await informer.start();
    await eventually('the first list', () => seen.length === 1);
    await eventually('the watch', () => server().watchCount === 1);
    server().closeWatches();
    server().store.compact();
    server().apply(pod('shop', 'b'));
    server().remove('Pod', 'shop', 'a');
    await eventually('the informer to catch up', () => informer.list().length === 1 && seen.length === 3);
    expect(seen).toEqual(['add a', 'add b', 'delete a']);
    await informer.stop();
  });
});
