/**
 * Capture levels in canonical spelling, apart from the zod schemas so that code needing only the
 * names (`tracectl inspect --capture-level`) does not load zod.
 */
export const CAPTURE_LEVEL_NAMES = ['FirstPacket', 'AllPackets', 'FlowSummary'] as const;
