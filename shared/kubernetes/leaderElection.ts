/**
 * Leader election over a `coordination.k8s.io/v1` Lease, as client-go's leaderelection package
 * does it: the holder renews `renewTime` every retry period; a candidate takes the lease over
 * only when the holder has not renewed it for `leaseDurationSeconds`; every write is conditional
 * on the resourceVersion read, so two candidates never both win. A leader that cannot renew
 * within the renew deadline stops leading before anyone else can take over. Stopping releases the
 * lease (empty holder), so a successor takes over at once instead of waiting for it to expire.
 */
import { k8s, type K8s } from './clientNode';
import { statusCodeOf } from './kubeConfig';
import { errorMessage } from '../errors';

/** Options of {@link LeaderElector}. */
export interface LeaderElectionOptions {
  namespace: string;
  /** Lease name, e.g. `retina-trace-controller`. */
  name: string;
  /** This candidate, e.g. the pod name. */
  identity: string;
  /** How long a lease is valid after its last renewal, in s. Default 15. */
  leaseDurationSeconds?: number;
  /** A leader that has not renewed for this long stops leading, in ms. Default 10 000. */
  renewDeadlineInMs?: number;
  /** How often to try to acquire or renew, in ms. Default 2 000. */
  retryPeriodInMs?: number;
  /** Called when this candidate becomes leader. */
  onStartedLeading: () => void | Promise<void>;
  /** Called when it stops being leader (lost, or stopped). */
  onStoppedLeading: () => void | Promise<void>;
  log?: (line: string) => void;
  now?: () => number;
}

type Lease = K8s.V1Lease;

/** Campaigns for a Lease until stopped. */
export class LeaderElector {
  private readonly api: K8s.CoordinationV1Api;
  private running = false;
  private leading = false;
  private lastRenewMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    config: K8s.KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    this.api = config.makeApiClient(k8s.CoordinationV1Api);
    this.now = options.now ?? Date.now;
  }

  /** True while this candidate holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  private tick(): void {
    this.loop = this.attempt().finally(() => {
      if (this.running) this.timer = setTimeout(() => this.tick(), this.options.retryPeriodInMs ?? 2000);
    });
  }

  private get durationSeconds(): number {
    return this.options.leaseDurationSeconds ?? 15;
  }

  private spec(previous: K8s.V1LeaseSpec | undefined, takeover: boolean): K8s.V1LeaseSpec {
    const now = new k8s.V1MicroTime(this.now());
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.durationSeconds,
      renewTime: now,
      acquireTime: takeover || previous?.acquireTime === undefined ? now : previous.acquireTime,
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (takeover && previous !== undefined ? 1 : 0),
    };
  }

  private async attempt(): Promise<void> {
    const { namespace, name, identity } = this.options;
    try {
      let lease: Lease | undefined;
      try {
        lease = await this.api.readNamespacedLease({ namespace, name });
      } catch (caught) {
        if (statusCodeOf(caught) !== 404) throw caught;
      }
      if (!this.running) return;
      if (lease === undefined) {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { namespace, name }, spec: this.spec(undefined, true) },
        });
        return await this.becameLeader();
      }
      const holder = lease.spec?.holderIdentity ?? '';
      if (holder === identity) {
        await this.api.replaceNamespacedLease({
          namespace,
          name,
          body: { ...lease, spec: this.spec(lease.spec, false) },
        });
        return await this.becameLeader();
      }
      const renewedMs = lease.spec?.renewTime === undefined ? 0 : new Date(lease.spec.renewTime).getTime();
      const durationMs = (lease.spec?.leaseDurationSeconds ?? this.durationSeconds) * 1000;
      if (holder !== '' && renewedMs + durationMs > this.now())
        return await this.notLeader(`held by ${holder}`);
      await this.api.replaceNamespacedLease({
        namespace,
        name,
        body: { ...lease, spec: this.spec(lease.spec, true) },
      });
      this.options.log?.(
        `lease ${namespace}/${name}: acquired${holder === '' ? '' : ` from ${holder}, whose lease expired`}`,
      );
      await this.becameLeader();
    } catch (caught) {
      // 409: another candidate wrote the lease between our read and write; it won this round.
      const reason = statusCodeOf(caught) === 409 ? 'another candidate won the race' : errorMessage(caught);
      await this.notLeader(reason);
    }
  }

  private async becameLeader(): Promise<void> {
    this.lastRenewMs = this.now();
    if (this.leading || !this.running) return;
    this.leading = true;
    this.options.log?.(
      `lease ${this.options.namespace}/${this.options.name}: ${this.options.identity} is leading`,
    );
    await this.options.onStartedLeading();
  }

  private async notLeader(reason: string): Promise<void> {
    if (!this.leading) return;
    // A leader keeps leading through failed renewals until the renew deadline, then gives up
    // well before the lease expires for others.
    if (
      this.now() - this.lastRenewMs < (this.options.renewDeadlineInMs ?? 10_000) &&
      !reason.startsWith('held by')
    )
      return;
    this.leading = false;
    this.options.log?.(
      `lease ${this.options.namespace}/${this.options.name}: ${this.options.identity} stopped leading (${reason})`,
    );
    await this.options.onStoppedLeading();
  }

  /** Stops campaigning; a leader stops leading and releases the lease so a successor need not wait. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.loop;
    if (!this.leading) return;
    this.leading = false;
    await this.options.onStoppedLeading();
    const { namespace, name, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity === identity) {
        await this.api.replaceNamespacedLease({
          namespace,
          name,
          body: {
            ...lease,
            spec: { ...lease.spec, holderIdentity: '', renewTime: new k8s.V1MicroTime(this.now()) },
          },
        });
        this.options.log?.(`lease ${namespace}/${name}: released by ${identity}`);
      }
    } catch (caught) {
      this.options.log?.(
        `lease ${namespace}/${name}: not released (${errorMessage(caught)}); it expires in ${this.durationSeconds} s`,
      );
    }
  }
}
