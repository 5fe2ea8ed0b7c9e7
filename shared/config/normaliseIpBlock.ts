/** `ipBlock` (and the documented form's `except` beside it) to a canonical {@link IpBlock}. */
import { cidrContainsCidr, formatCidr, parseCidr, type Cidr } from '../net/cidr';
import type { IssueCollector, PathSegment } from './issues';
import type { IpBlock } from './model';

function readCidr(text: string, at: readonly PathSegment[], issues: IssueCollector): Cidr | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    issues.error(at, `${parsed.reason}; write a CIDR such as 10.0.0.0/16 or fd00::/64, or a single address`);
    return undefined;
  }
  if (parsed.hostBitsSet) {
    issues.warn(
      at,
      `"${text}" has host bits set beyond /${parsed.cidr.prefixLength}; read as ${formatCidr(parsed.cidr)}`,
    );
  }
  return parsed.cidr;
}

/** One `except` entry with where it came from. */
export interface ExceptEntry {
  text: unknown;
  at: readonly PathSegment[];
}

/**
 * Normalises an IP block: parses `cidr` (a bare address is /32 or /128) and every `except`, which
 * must lie inside `cidr`. Returns `undefined` when something is wrong (errors are recorded).
 *
 * @param cidrText - the `cidr` value as found (not yet type-checked)
 * @param excepts - `except` entries, from inside `ipBlock` and from beside it
 */
export function normaliseIpBlock(
  cidrText: unknown,
  excepts: readonly ExceptEntry[],
  at: readonly PathSegment[],
  issues: IssueCollector,
): IpBlock | undefined {
  if (typeof cidrText !== 'string' || cidrText.trim() === '') {
    if (cidrText === undefined || cidrText === '')
      issues.error([...at, 'cidr'], 'is required when ipBlock has except entries');
    return undefined;
  }
  const cidr = readCidr(cidrText, [...at, 'cidr'], issues);
  const except: string[] = [];
  let ok = cidr !== undefined;
  for (const entry of excepts) {
    if (typeof entry.text !== 'string') {
      ok = false;
      continue;
    }
    const inner = readCidr(entry.text, entry.at, issues);
    if (inner === undefined) {
      ok = false;
      continue;
    }
    if (cidr !== undefined && !cidrContainsCidr(cidr, inner)) {
      issues.error(entry.at, `${formatCidr(inner)} is not inside the ipBlock's cidr ${formatCidr(cidr)}`);
      ok = false;
      continue;
    }
    except.push(formatCidr(inner));
  }
  return ok && cidr !== undefined ? { cidr: formatCidr(cidr), except } : undefined;
}
