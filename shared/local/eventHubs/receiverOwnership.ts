/** Whether a new receiver may attach to a partition of a consumer group, and whom it displaces. */
export type OwnershipDecision = { admit: true; displaced: number[] } | { admit: false; description: string };

/**
 * Event Hubs' owner-level (epoch) rule for one partition of one consumer group, given the owner levels
 * of the receivers already attached (`undefined` = no owner level): a receiver with an owner level
 * displaces every receiver with no or a lower-or-equal owner level and is refused when a higher one
 * exists; a receiver without one is refused while any receiver with one is attached. `displaced` lists
 * indexes into `existing`.
 */
export function decideOwnership(
  existing: readonly (number | undefined)[],
  ownerLevel: number | undefined,
): OwnershipDecision {
  const levels = existing.filter((level): level is number => level !== undefined);
  const highest = levels.length > 0 ? Math.max(...levels) : undefined;
  if (ownerLevel === undefined) {
    return highest === undefined
      ? { admit: true, displaced: [] }
      : {
          admit: false,
          description: `a receiver with owner level ${highest} is attached; receivers without an owner level are refused`,
        };
  }
  if (highest !== undefined && highest > ownerLevel) {
    return {
      admit: false,
      description: `a receiver with the higher owner level ${highest} is attached; owner level ${ownerLevel} is refused`,
    };
  }
  return { admit: true, displaced: existing.map((_, index) => index) };
}
