/** Duration options of the CLI (`--flow-interval 60s`, `--flow-idle 0`). */
import { UsageError } from './command';

const UNIT_MS = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6 } as const;

/**
 * Milliseconds of a duration such as `500ms`, `30s`, `1.5m`, `2h`, or `0` (which callers read as
 * "never"). A bare number other than 0 is refused: its unit would be a guess.
 *
 * @throws UsageError naming `flag` when the text is not a duration.
 */
export function parseDurationOption(flag: string, text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(trimmed);
  if (match === null)
    throw new UsageError(
      `${flag} must be a duration such as 500ms, 30s, 5m or 1h, or 0 for never; got '${text}'`,
    );
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}
