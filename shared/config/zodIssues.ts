/** Turns zod's structural issues into operator-friendly {@link PathedIssue}s. */
import type { z } from 'zod';
import type { PathSegment, PathedIssue } from './issues';
import { describeValue } from './rawValue';

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

/** The message for one zod issue. Issues must come from a parse with `reportInput: true`. */
export function zodIssueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === 'invalid_value') {
    return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === 'too_small' && issue.message.startsWith('Too small')) {
    return `must have at least ${String(issue.minimum)} entries`;
  }
  return issue.message;
}

/** Every issue of a failed parse, with `prefix` (the path of the parsed value) prepended. */
export function zodIssuesToPathed(error: z.ZodError, prefix: readonly PathSegment[]): PathedIssue[] {
  return error.issues.map((issue) => ({
    segments: [...prefix, ...issue.path.filter((s): s is PathSegment => typeof s !== 'symbol')],
    message: zodIssueMessage(issue),
  }));
}
