/**
 * TCP connection state in Zeek's vocabulary, so analysts who know Zeek's conn.log read FlowSummary
 * records at once: each endpoint's state machine (Zeek's `TCP_ENDPOINT_*`), the `conn_state` code
 * derived from both endpoints (base/protocols/conn/main.zeek `conn_state`), and the `history`
 * letters (upper case: the initiator, lower case: the responder).
 *
 * Simplified where Zeek needs sequence tracking: no `T` (retransmission), `C` (bad checksum), `I`
 * (inconsistent) or `G` (content gap) letters, and each letter is recorded once per direction.
 */
import { TcpFlag } from '../packet/decodedPacket';

/** An endpoint's TCP state (Zeek's `TCP_ENDPOINT_*`). */
export const TcpEndpoint = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const;

/** One of {@link TcpEndpoint}'s values. */
export type TcpEndpointState = (typeof TcpEndpoint)[keyof typeof TcpEndpoint];

/** Zeek `conn_state` codes. */
export type ZeekConnState =
  'S0' | 'S1' | 'SF' | 'REJ' | 'S2' | 'S3' | 'RSTO' | 'RSTR' | 'RSTOS0' | 'RSTRH' | 'SH' | 'SHR' | 'OTH';

/**
 * The sender's next state after sending a segment with `flags` (its peer's state is `peer`).
 * Returns the pair packed as `sender | peer << 3` so the caller updates both without an object.
 */
export function nextTcpStates(sender: TcpEndpointState, peer: TcpEndpointState, flags: number): number {
  let s: number = sender;
  let p: number = peer;
  const syn = (flags & TcpFlag.SYN) !== 0;
  const ack = (flags & TcpFlag.ACK) !== 0;
  if ((flags & TcpFlag.RST) !== 0) {
    s = TcpEndpoint.RESET;
    return s | (p << 3);
  }
  if (syn) {
    if (ack && p === TcpEndpoint.SYN_SENT) {
      // A SYN-ACK answering a SYN establishes both ends (as Zeek's analyzer does).
      s = TcpEndpoint.ESTABLISHED;
      p = TcpEndpoint.ESTABLISHED;
    } else if (s === TcpEndpoint.INACTIVE) s = ack ? TcpEndpoint.SYN_ACK_SENT : TcpEndpoint.SYN_SENT;
  } else if (s === TcpEndpoint.INACTIVE) {
    s = TcpEndpoint.PARTIAL;
  } else if (ack && s === TcpEndpoint.SYN_ACK_SENT && p !== TcpEndpoint.RESET) {
    s = TcpEndpoint.ESTABLISHED;
  } else if (ack && p === TcpEndpoint.SYN_ACK_SENT) {
    // The ACK of a SYN-ACK whose SYN we missed establishes the responder.
    p = TcpEndpoint.ESTABLISHED;
  }
  if ((flags & TcpFlag.FIN) !== 0 && s !== TcpEndpoint.RESET) s = TcpEndpoint.CLOSED;
  return s | (p << 3);
}

function inactive(state: number): boolean {
  return state === TcpEndpoint.INACTIVE || state === TcpEndpoint.PARTIAL;
}

/**
 * Zeek's `conn_state` of a TCP connection from its endpoints' states, its history and whether any
 * payload went either way (Zeek's `orig$size == 0 && resp$size == 0` for REJ).
 */
export function zeekConnState(
  orig: TcpEndpointState,
  resp: TcpEndpointState,
  history: string,
  anyPayload: boolean,
): ZeekConnState {
  if (resp === TcpEndpoint.RESET) {
    if (
      orig === TcpEndpoint.SYN_SENT ||
      orig === TcpEndpoint.SYN_ACK_SENT ||
      (orig === TcpEndpoint.RESET && !anyPayload)
    )
      return 'REJ';
    return inactive(orig) ? 'RSTRH' : 'RSTR';
  }
  if (orig === TcpEndpoint.RESET) {
    if (inactive(resp)) return /^\^?S[^HAFGIQ]*R/.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (resp === TcpEndpoint.CLOSED && orig === TcpEndpoint.CLOSED) return 'SF';
  if (orig === TcpEndpoint.CLOSED) return inactive(resp) ? 'SH' : 'S2';
  if (resp === TcpEndpoint.CLOSED) return inactive(orig) ? 'SHR' : 'S3';
  if (orig === TcpEndpoint.SYN_SENT && resp === TcpEndpoint.INACTIVE) return 'S0';
  if (orig === TcpEndpoint.ESTABLISHED && resp === TcpEndpoint.ESTABLISHED) return 'S1';
  return 'OTH';
}

/** History letters in the order of their bits in a direction's mask. */
const LETTERS = 'SHADFRWQ';

/**
 * The history letter bits a segment sets (bit i: `LETTERS[i]`): S SYN, H SYN+ACK, A pure ACK, D
 * payload, F FIN, R RST, W zero window, Q SYN and FIN together.
 */
export function historyBits(flags: number, payloadLength: number, window: number | undefined): number {
  const syn = (flags & TcpFlag.SYN) !== 0;
  const ack = (flags & TcpFlag.ACK) !== 0;
  const fin = (flags & TcpFlag.FIN) !== 0;
  const rst = (flags & TcpFlag.RST) !== 0;
  let bits = 0;
  if (syn) bits |= ack ? 2 : 1;
  if (syn && fin) bits |= 128;
  if (payloadLength > 0) bits |= 8;
  else if (ack && !syn && !fin && !rst) bits |= 4;
  if (fin) bits |= 16;
  if (rst) bits |= 32;
  if (window === 0 && !syn && !fin && !rst) bits |= 64;
  return bits;
}

/**
 * Appends to `history` the letters of `bits` not yet in `seen` (upper case when `fromInitiator`),
 * in Zeek's order for one segment. Returns the new history; unchanged (no allocation) when every
 * letter was seen before, which is the case for almost every packet of a flow.
 */
export function appendHistory(history: string, seen: number, bits: number, fromInitiator: boolean): string {
  const fresh = bits & ~seen;
  if (fresh === 0) return history;
  let out = history;
  for (let i = 0; i < LETTERS.length; i++) {
    if ((fresh & (1 << i)) === 0) continue;
    const letter = LETTERS[i]!;
    out += fromInitiator ? letter : letter.toLowerCase();
  }
  return out;
}
