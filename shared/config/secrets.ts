/**
 * Recognises credentials pasted into a manifest, so they are refused before anything is stored,
 * and scrubs them from what was stored before this check existed. Messages name the kind of
 * secret and where it is, never the value.
 */
import type { PathSegment } from './issues';

/** One shape of credential, with the name shown to the user. */
interface SecretShape {
  pattern: RegExp;
  name: string;
}

// Patterns are linear (no nested quantifiers) so a long hostile string cannot make them backtrack.
const SECRET_SHAPES: readonly SecretShape[] = [
  { pattern: /accountkey\s*=/i, name: 'an AccountKey=' },
  { pattern: /sharedaccesskey\s*=/i, name: 'a SharedAccessKey=' },
  { pattern: /sharedaccesssignature\s*=/i, name: 'a SharedAccessSignature=' },
  { pattern: /(^|[?&;\s])sig\s*=/i, name: 'a SAS signature (sig=)' },
  { pattern: /password\s*=|pwd\s*=/i, name: 'a password=' },
  { pattern: /\bbearer\s+\S/i, name: 'a bearer token' },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./, name: 'a JSON Web Token' },
  { pattern: /-----BEGIN [A-Z0-9 ]{0,40}(PRIVATE KEY|CERTIFICATE|KEY)-----/, name: 'a PEM block' },
  { pattern: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/, name: 'a GitHub token' },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/, name: 'a GitHub token' },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, name: 'a Slack token' },
  { pattern: /\bAKIA[0-9A-Z]{16}\b/, name: 'an AWS access key id' },
  {
    pattern: /[a-z][a-z0-9+.-]{0,20}:\/\/[^\s/:@]{1,256}:[^\s/@]{1,256}@/i,
    name: 'credentials in a URL (user:password@)',
  },
  // An Azure storage account key: 64 random bytes in base64.
  { pattern: /(^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/, name: 'an account key' },
];

/** What kind of secret `text` appears to contain, or `undefined`. */
export function secretKind(text: string): string | undefined {
  for (const shape of SECRET_SHAPES) if (shape.pattern.test(text)) return shape.name;
  return undefined;
}

/** A secret found in a value: where, and what kind. */
export interface FoundSecret {
  segments: PathSegment[];
  kind: string;
  /** True when the secret is in a key rather than a value. */
  inKey: boolean;
}

/** Every string (value or key) in `value` that looks like a secret, found iteratively. */
export function findSecrets(value: unknown, at: readonly PathSegment[] = []): FoundSecret[] {
  const found: FoundSecret[] = [];
  const stack: { value: unknown; segments: PathSegment[] }[] = [{ value, segments: [...at] }];
  while (stack.length > 0) {
    const { value: current, segments } = stack.pop()!;
    if (typeof current === 'string') {
      const kind = secretKind(current);
      if (kind !== undefined) found.push({ segments, kind, inKey: false });
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, segments: [...segments, index] }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        const kind = secretKind(key);
        if (kind !== undefined) found.push({ segments: [...segments, key], kind, inKey: true });
        stack.push({ value: item, segments: [...segments, key] });
      }
    }
  }
  return found.sort((a, b) => a.segments.join('.').localeCompare(b.segments.join('.')));
}

/** What a scrubbed string is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * A copy of `value` in which every string that looks like a secret is {@link REDACTED} (keys that
 * look like secrets are dropped with their value). For manifests and statuses stored before the
 * detector refused them.
 */
export function scrubSecrets<T>(value: T): T {
  return scrubAt(value, 0) as T;
}

/** Deeper than any manifest the parser accepts; stored rows from before the bounds are cut here. */
const MAX_SCRUB_DEPTH = 64;

function scrubAt(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return secretKind(value) === undefined ? value : REDACTED;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_SCRUB_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubAt(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (secretKind(key) === undefined) out[key] = scrubAt(item, depth + 1);
  }
  return out;
}
