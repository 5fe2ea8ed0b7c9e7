/**
 * Crafted TCP conversations for the analyser's unit tests: real frames (built with `craftFrame`,
 * written as a pcap, read and decoded as the pipeline does), each segment with the conditions
 * tshark 4.0 reports for it. The same pcaps can be handed to tshark to check the expectations.
 */
import { readCaptureInto } from '../../../shared/capture/readCapture';
import { writePcap } from '../../../shared/capture/pcapWriter';
import { craftFrame } from '../../../shared/packet/craftFrame';
import { decodePacket } from '../../../shared/packet/decodePacket';
import { LinkType } from '../../../shared/packet/linkType';
import { TcpFlag } from '../../../shared/packet/decodedPacket';
import { TcpAnalyzer, type TcpPacketAnalysis } from '../../../shared/tcp/tcpAnalyzer';
import type { TcpConditionName } from '../../../shared/tcp/tcpCondition';

/** One segment: who sends it, when, and what tshark says about it. */
export interface Segment {
  /** Milliseconds since the conversation began. */
  ms: number;
  /** `c`: the client (10.0.0.1:40000), `s`: the server (10.0.0.2:80). */
  from: 'c' | 's';
  seq: number;
  ack?: number;
  /** Flag letters: S, A, F, R, P. Default `A`. */
  flags?: string;
  /** Raw window field. Default 1000. */
  window?: number;
  /** Payload length. Default 0. */
  length?: number;
  /** Window scale option (shift count). */
  windowScale?: number;
  /** Reported conditions tshark gives this segment. Default none. */
  expect?: TcpConditionName[];
}

const FLAG_LETTERS: Record<string, number> = {
  S: TcpFlag.SYN,
  A: TcpFlag.ACK,
  F: TcpFlag.FIN,
  R: TcpFlag.RST,
  P: TcpFlag.PSH,
};

/** The conversation as a pcap (Ethernet, microsecond timestamps from 1 700 000 000 s). */
export function scenarioPcap(segments: readonly Segment[]): Uint8Array {
  return writePcap(
    { linkType: LinkType.ETHERNET },
    segments.map((segment) => {
      const client = segment.from === 'c';
      let flags = 0;
      for (const letter of segment.flags ?? 'A') flags |= FLAG_LETTERS[letter] ?? 0;
      const totalUs = Math.round(segment.ms * 1000);
      return {
        timestampSec: 1_700_000_000 + Math.floor(totalUs / 1e6),
        timestampNsec: (totalUs % 1e6) * 1000,
        data: craftFrame({
          source: client ? '10.0.0.1' : '10.0.0.2',
          destination: client ? '10.0.0.2' : '10.0.0.1',
          transport: {
            protocol: 'tcp',
            sourcePort: client ? 40000 : 80,
            destinationPort: client ? 80 : 40000,
            seq: segment.seq >>> 0,
            ack: (segment.ack ?? 0) >>> 0,
            flags,
            window: segment.window ?? 1000,
            ...(segment.windowScale === undefined
              ? {}
              : { options: Uint8Array.of(1, 3, 3, segment.windowScale) }),
          },
          payload: new Uint8Array(segment.length ?? 0),
        }),
      };
    }),
  );
}

/** Our analysis of each segment, decoded from the scenario's pcap, in order. */
export function analyzeScenario(
  segments: readonly Segment[],
  analyzer = new TcpAnalyzer(),
): TcpPacketAnalysis[] {
  const results: TcpPacketAnalysis[] = [];
  readCaptureInto(scenarioPcap(segments), {
    onPacket: (captured) => {
      results.push({ ...analyzer.analyze(decodePacket(captured, captured.interface.linkType), 'scope') });
    },
    onProblem: (problem) => {
      throw new Error(problem.message);
    },
  });
  return results;
}
