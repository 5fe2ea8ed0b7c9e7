/** One `from`/`to` entry to a {@link Peer}, enforcing which selectors may be combined (docs/trace-configuration.md). */
import type { IssueCollector, PathSegment } from './issues';
import type { LabelSelector, Peer } from './model';
import { normaliseIpBlock, type ExceptEntry } from './normaliseIpBlock';
import { normaliseLabelSelector } from './normaliseSelector';
import { isRawObject } from './rawValue';
import { IpBlockSchema, PeerSchema } from './schema';
import { warnUnknownFields } from './unknownFields';

const PEER_FIELDS = Object.keys(PeerSchema.shape);
const IP_BLOCK_FIELDS = Object.keys(IpBlockSchema.shape);
const SELECTORS = ['namespaceSelector', 'podSelector', 'nodeSelector', 'serviceSelector'] as const;

function exceptEntries(list: unknown, at: readonly PathSegment[]): ExceptEntry[] {
  return Array.isArray(list) ? (list as unknown[]).map((text, i) => ({ text, at: [...at, i] })) : [];
}

/** The selector combination rules; records one error per broken rule. */
function checkCombination(
  present: readonly string[],
  at: readonly PathSegment[],
  issues: IssueCollector,
): void {
  const has = (name: string): boolean => present.includes(name);
  if (present.length === 0) {
    issues.error(
      at,
      'needs at least one selector: ipBlock, namespaceSelector (optionally with podSelector), nodeSelector or serviceSelector',
    );
    return;
  }
  if (has('ipBlock') && present.length > 1) {
    const others = present.filter((name) => name !== 'ipBlock');
    issues.error(at, `ipBlock cannot be combined with ${others.join(', ')}; use a separate entry for each`);
    return;
  }
  if (has('podSelector') && !has('namespaceSelector')) {
    issues.error(
      at,
      'podSelector needs a namespaceSelector beside it (namespaceSelector: {} selects pods in every namespace)',
    );
  }
  if (has('nodeSelector') && has('serviceSelector')) {
    issues.error(at, 'nodeSelector and serviceSelector cannot be combined; use a separate entry for each');
  }
  for (const exclusive of ['nodeSelector', 'serviceSelector']) {
    if (has(exclusive) && (has('namespaceSelector') || has('podSelector'))) {
      issues.error(
        at,
        `${exclusive} cannot be combined with namespaceSelector or podSelector; use a separate entry for each`,
      );
    }
  }
}

/**
 * Normalises one `from`/`to` entry. An `ipBlock` without `cidr` and without `except` counts as
 * absent (the upstream Go type is a struct, serialised as `{cidr: ""}` when unset). Returns
 * `undefined` when the entry is not usable; the reasons are in `issues`.
 */
export function normalisePeer(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueCollector,
): Peer | undefined {
  if (!isRawObject(raw)) return undefined;
  const errorsBefore = issues.errors.length;
  warnUnknownFields(raw, PEER_FIELDS, at, issues);
  const present: string[] = [];
  const peer: Peer = {};

  const rawBlock = isRawObject(raw.ipBlock) ? raw.ipBlock : undefined;
  const blockAt = [...at, 'ipBlock'];
  const excepts = [
    ...exceptEntries(rawBlock?.except, [...blockAt, 'except']),
    ...exceptEntries(raw.except, [...at, 'except']),
  ];
  const blockCidr = rawBlock?.cidr;
  const hasBlock =
    rawBlock !== undefined && ((blockCidr !== undefined && blockCidr !== '') || excepts.length > 0);
  if (rawBlock !== undefined) warnUnknownFields(rawBlock, IP_BLOCK_FIELDS, blockAt, issues);
  if (Array.isArray(raw.except)) {
    if (hasBlock)
      issues.warn([...at, 'except'], 'except belongs inside ipBlock; read as ipBlock.except', true);
    else issues.error([...at, 'except'], 'except needs an ipBlock (put it inside ipBlock, next to cidr)');
  }
  if (hasBlock) {
    present.push('ipBlock');
    const block = normaliseIpBlock(blockCidr, excepts, blockAt, issues);
    if (block !== undefined) peer.ipBlock = block;
  }

  for (const name of SELECTORS) {
    if (!(name in raw)) continue;
    present.push(name);
    const selector: LabelSelector | undefined = normaliseLabelSelector(raw[name], [...at, name], issues);
    if (selector !== undefined) peer[name] = selector;
  }
  checkCombination(present, at, issues);
  return issues.errors.length === errorsBefore ? peer : undefined;
}
