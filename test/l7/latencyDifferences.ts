/** Responses we time where tshark 4.0 pairs none, each explained in docs/layer7.md ("Latency"). */
export interface LatencyDifference {
  file: string;
  frames: number[] | 'all';
  why: string;
}

export const LATENCY_DIFFERENCES: LatencyDifference[] = [];
