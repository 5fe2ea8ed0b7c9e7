/**
 * The workload that owns a pod, following controller owner references the way `kubectl` shows
 * them: a ReplicaSet's Deployment, a Job's CronJob, or the StatefulSet, DaemonSet, Job or other
 * controller named directly.
 */
import type { ClusterObjects, ObjectMeta, PodObject } from './clusterObjects';

/** A workload, e.g. `{kind: 'Deployment', name: 'web'}`. */
export interface Workload {
  kind: string;
  name: string;
}

function controllerOf(metadata: ObjectMeta | undefined): { kind: string; name: string } | undefined {
  const owners = metadata?.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller === true) ?? owners[0];
  return owner?.kind !== undefined && owner.name !== undefined && owner.kind !== '' && owner.name !== ''
    ? { kind: owner.kind, name: owner.name }
    : undefined;
}

/**
 * The pod's workload, or undefined for a bare pod. A ReplicaSet (or Job) not in `objects` yet is
 * reported as itself; the next snapshot after it arrives names its Deployment (or CronJob).
 */
export function workloadOwner(
  pod: PodObject,
  objects: Pick<ClusterObjects, 'replicaSets' | 'jobs'>,
): Workload | undefined {
  const owner = controllerOf(pod.metadata);
  if (owner === undefined) return undefined;
  const namespace = pod.metadata?.namespace ?? '';
  const parents =
    owner.kind === 'ReplicaSet' ? objects.replicaSets : owner.kind === 'Job' ? objects.jobs : undefined;
  if (parents === undefined) return owner;
  const parent = controllerOf(parents.get(`${namespace}/${owner.name}`)?.metadata);
  if (
    parent !== undefined &&
    ((owner.kind === 'ReplicaSet' && parent.kind === 'Deployment') ||
      (owner.kind === 'Job' && parent.kind === 'CronJob'))
  )
    return parent;
  return owner;
}
