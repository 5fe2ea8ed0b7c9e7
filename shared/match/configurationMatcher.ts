/**
 * Every active configuration of a cluster compiled into one matcher. Each target goes into the
 * first index that can hold it: by (protocol, destination port) when its ports can be enumerated,
 * else by the CIDRs of its `to` side, else by the CIDRs of its `from` side; the rest (selector-only
 * targets without enumerable ports) are tested for every packet. A packet runs the predicates of
 * the candidates its ports and addresses select, in both directions: per-packet cost grows with
 * the number of plausible targets, not with the number of configurations.
 */
import type { CaptureLevel, OutputConfiguration, TraceConfigurationSpec } from '../config/model';
import type { Endpoint } from '../enrich/identity';
import type { DecodedPacket } from '../packet/decodedPacket';
import { compileTarget, type CompiledTarget } from './compileTarget';
import { portIndexKey } from './ports';
import { PrefixIndex } from './prefixIndex';
import { tracePointBit } from './tracePoints';

/** A configuration to compile: its `namespace/name` key and normalised spec. */
export interface ConfigurationInput {
  key: string;
  spec: TraceConfigurationSpec;
}

/** The rules of one configuration that matched a packet. */
export interface ConfigurationMatch {
  /** `namespace/name`. */
  key: string;
  /** Position of the configuration in the compiled list. */
  index: number;
  output: OutputConfiguration;
  /** Indexes (into `spec.rules`) of the matched rules, ascending, each once. */
  rules: number[];
  /**
   * The most detailed level any matched rule asks for: `AllPackets`, else `FirstPacket`, else
   * `FlowSummary` (a configuration mixing levels is recorded at the most detailed one).
   */
  captureLevel: CaptureLevel;
  /** True when any matched rule includes layer 7 data. */
  includeLayer7Data: boolean;
  /** Days the configuration's matched packets are retained (`retina.sh/retain-packets`); undefined: not retained. */
  retainPacketsDays?: number;
}

/** Matches packets against compiled configurations. */
export interface ConfigurationMatcher {
  /** Number of configurations compiled. */
  readonly size: number;
  /**
   * The configurations matching a packet, in compiled order (empty array when none). A packet
   * matches a target when it matches as captured or with source and destination (addresses,
   * ports, identities) swapped.
   */
  match(
    packet: DecodedPacket,
    source: Endpoint | undefined,
    destination: Endpoint | undefined,
  ): readonly ConfigurationMatch[];
}

interface RuleInfo {
  configuration: number;
  rule: number;
  captureLevel: CaptureLevel;
  includeLayer7Data: boolean;
}

interface IndexedTarget {
  target: CompiledTarget;
  /** Global rule id (configuration order, then rule order). */
  ruleId: number;
}

const NONE: readonly ConfigurationMatch[] = Object.freeze([]);

/** Detail of each capture level: a configuration's match takes the most detailed of its rules'. */
const CAPTURE_LEVEL_RANK: Readonly<Record<CaptureLevel, number>> = {
  FlowSummary: 0,
  FirstPacket: 1,
  AllPackets: 2,
};

/** Distinct match results kept per compiled matcher; beyond this the cache starts over. */
const MAX_CACHED_RESULTS = 4096;

/** Sorts the first `count` rule ids in place, without the allocation of `Array.prototype.sort`. */
function sortSmall(ids: number[], count: number): void {
  for (let i = 1; i < count; i++) {
    const id = ids[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (ids[j] ?? 0) > id) {
      ids[j + 1] = ids[j] ?? 0;
      j--;
    }
    ids[j + 1] = id;
  }
}

/** Compiles configurations once per generation. Never throws on a normalised spec. */
export function compileConfigurations(configs: readonly ConfigurationInput[]): ConfigurationMatcher {
  const rules: RuleInfo[] = [];
  const byPort = new Map<number, IndexedTarget[]>();
  const byTo = new PrefixIndex<IndexedTarget>();
  const byFrom = new PrefixIndex<IndexedTarget>();
  const unindexed: IndexedTarget[] = [];
  configs.forEach((config, configuration) => {
    config.spec.rules.forEach((rule, ruleIndex) => {
      const ruleId = rules.length;
      rules.push({
        configuration,
        rule: ruleIndex,
        captureLevel: rule.captureLevel,
        includeLayer7Data: rule.includeLayer7Data,
      });
      for (const target of rule.targets) {
        const indexed: IndexedTarget = { target: compileTarget(target), ruleId };
        const keys = indexed.target.indexKeys;
        if (!keys) {
          const { toBlocks, fromBlocks } = indexed.target;
          if (toBlocks && toBlocks.every((cidr) => byTo.add(cidr, indexed))) continue;
          if (fromBlocks && !toBlocks && fromBlocks.every((cidr) => byFrom.add(cidr, indexed))) continue;
          unindexed.push(indexed);
          continue;
        }
        for (const key of new Set(keys)) {
          const list = byPort.get(key);
          if (list) list.push(indexed);
          else byPort.set(key, [indexed]);
        }
      }
    });
  });
  /** Match results by matched rule ids ({@link resultKey}). */
  const results = new Map<number | string, readonly ConfigurationMatch[]>();
  const build = (ruleIds: readonly number[], count: number): ConfigurationMatch[] => {
    const out: ConfigurationMatch[] = [];
    let current: ConfigurationMatch | undefined;
    for (let i = 0; i < count; i++) {
      const info = rules[ruleIds[i] ?? -1];
      if (!info) continue;
      if (!current || current.index !== info.configuration) {
        const config = configs[info.configuration];
        if (!config) continue;
        current = {
          key: config.key,
          index: info.configuration,
          output: config.spec.output,
          rules: [],
          captureLevel: info.captureLevel,
          includeLayer7Data: false,
          retainPacketsDays: config.spec.retainPacketsDays,
        };
        out.push(current);
      }
      current.rules.push(info.rule);
      if (CAPTURE_LEVEL_RANK[info.captureLevel] > CAPTURE_LEVEL_RANK[current.captureLevel])
        current.captureLevel = info.captureLevel;
      if (info.includeLayer7Data) current.includeLayer7Data = true;
    }
    for (const match of out) Object.freeze(match.rules);
    return out.map((match) => Object.freeze(match));
  };
  const stamps = new Uint32Array(rules.length);
  let generation = 0;
  // Reused scratch arrays with their live counts: truncating with `length = 0` would free their
  // storage and make every packet allocate it again.
  const matched: number[] = [];
  let matchedCount = 0;
  const lists: (readonly IndexedTarget[])[] = [];
  const indexTo = !byTo.empty;
  const indexFrom = !byFrom.empty;

  // Tests the address-indexed candidates of one direction.
  const testByAddress = (
    bit: number,
    sourceIp: Uint8Array | undefined,
    source: Endpoint | undefined,
    destinationIp: Uint8Array | undefined,
    destination: Endpoint | undefined,
    protocol: number,
    port: number,
  ): void => {
    let listCount = 0;
    if (indexTo && destinationIp) listCount = byTo.collect(destinationIp, lists, listCount);
    if (indexFrom && sourceIp) listCount = byFrom.collect(sourceIp, lists, listCount);
    for (let i = 0; i < listCount; i++)
      test(lists[i], bit, sourceIp, source, destinationIp, destination, protocol, port);
  };

  const test = (
    candidates: readonly IndexedTarget[] | undefined,
    bit: number,
    sourceIp: Uint8Array | undefined,
    source: Endpoint | undefined,
    destinationIp: Uint8Array | undefined,
    destination: Endpoint | undefined,
    protocol: number,
    port: number,
  ): void => {
    if (!candidates) return;
    for (let i = 0; i < candidates.length; i++) {
      const { target, ruleId } = candidates[i]!;
      if (stamps[ruleId] === generation) continue;
      if (!target.tracePoint(bit)) continue;
      if (!target.direction(sourceIp, source, destinationIp, destination, protocol, port)) continue;
      stamps[ruleId] = generation;
      matched[matchedCount++] = ruleId;
    }
  };

  return {
    size: configs.length,
    match(packet, source, destination) {
      generation = (generation + 1) >>> 0;
      if (generation === 0) {
        stamps.fill(0);
        generation = 1;
      }
      matchedCount = 0;
      const bit = tracePointBit(packet.tracePoint);
      const protocol = packet.protocol ?? -1;
      const sport = packet.sourcePort ?? -1;
      const dport = packet.destinationPort ?? -1;
      const sip = packet.sourceIp;
      const dip = packet.destinationIp;
      if (byPort.size > 0 && protocol >= 0) {
        if (dport >= 0)
          test(
            byPort.get(portIndexKey(protocol, dport)),
            bit,
            sip,
            source,
            dip,
            destination,
            protocol,
            dport,
          );
        if (sport >= 0)
          test(
            byPort.get(portIndexKey(protocol, sport)),
            bit,
            dip,
            destination,
            sip,
            source,
            protocol,
            sport,
          );
      }
      testByAddress(bit, sip, source, dip, destination, protocol, dport);
      testByAddress(bit, dip, destination, sip, source, protocol, sport);
      test(unindexed, bit, sip, source, dip, destination, protocol, dport);
      test(unindexed, bit, dip, destination, sip, source, protocol, sport);
      if (matchedCount === 0) return NONE;
      sortSmall(matched, matchedCount);
      // Packets of one flow match the same rules: build each distinct result once.
      const cacheKey = resultKey(matched, rules.length, matchedCount);
      let out = results.get(cacheKey);
      if (out === undefined) {
        out = Object.freeze(build(matched, matchedCount));
        if (results.size >= MAX_CACHED_RESULTS) results.clear();
        results.set(cacheKey, out);
      }
      return out;
    },
  };
}

/**
 * The cache key of the first `count` matched rule ids: a number while one fits (the ids read as a
 * bijective base-`ruleCount` numeral with digits id + 1, so sets of different sizes never share a
 * number), else the ids joined with commas. No string is built for the sets packets really match.
 */
export function resultKey(
  ruleIds: readonly number[],
  ruleCount: number,
  count: number = ruleIds.length,
): number | string {
  const base = Math.max(1, ruleCount);
  const limit = (Number.MAX_SAFE_INTEGER - base) / base;
  let key = 0;
  for (let i = 0; i < count; i++) {
    if (key > limit) return ruleIds.slice(0, count).join(',');
    key = key * base + (ruleIds[i] ?? 0) + 1;
  }
  return key;
}
