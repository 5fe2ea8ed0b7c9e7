/**
 * HPACK Huffman decoding (RFC 7541 §5.2, code in Appendix B). The code is canonical, so the table
 * below holds only each symbol's code length (symbols 0–255, then EOS); the codes follow from it.
 * Decoding walks a 4-bit state machine built once at load: one table read per nibble.
 */

/** Code length in bits of each symbol 0–255 and EOS (256), RFC 7541 Appendix B. */
// prettier-ignore
const CODE_LENGTHS: readonly number[] = [13,23,28,28,28,28,28,28,28,24,30,28,28,30,28,28,28,28,28,28,28,28,30,28,28,28,28,28,28,28,28,28,6,10,10,12,13,6,8,11,10,10,8,11,8,6,6,6,5,5,5,6,6,6,6,6,6,6,7,8,15,6,12,10,13,6,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,8,7,8,13,19,13,14,6,15,5,6,5,6,5,6,6,6,5,7,7,6,6,6,5,6,7,6,5,5,6,7,7,7,7,7,15,11,14,13,28,20,22,20,20,22,22,22,23,22,23,23,23,23,23,24,23,24,24,22,23,24,23,23,23,23,21,22,23,22,23,23,24,22,21,20,22,22,23,23,21,23,22,22,24,21,22,23,23,21,21,22,21,23,22,23,23,20,22,22,22,23,22,22,23,26,26,20,19,22,23,22,25,26,26,26,27,27,26,24,25,19,21,26,27,27,26,27,24,21,21,26,26,28,27,27,27,20,24,20,21,22,21,21,23,22,22,25,25,24,24,26,23,26,27,26,26,27,27,27,27,27,28,27,27,27,27,27,26,30];

const EOS = 256;
/** Per (state, nibble): next state in the low 16 bits, emitted symbol + 1 in bits 16–24, flags above. */
const EMITS = 1 << 25;
const FAILS = 1 << 26;

interface Tables {
  /** 16 transitions per state. */
  readonly transitions: Int32Array;
  /** Whether ending in a state is valid padding (a prefix of EOS, i.e. all ones, of at most 7 bits). */
  readonly accepting: Uint8Array;
}

function buildTables(): Tables {
  // Binary tree of the canonical code: node 0 is the root; children[2n], children[2n+1]; leaves are -(symbol+1).
  const children: number[] = [0, 0];
  let nodes = 1;
  const order = CODE_LENGTHS.map((length, symbol) => ({ length, symbol })).sort(
    (a, b) => a.length - b.length || a.symbol - b.symbol,
  );
  let code = 0;
  let previous = order[0]!.length;
  order.forEach(({ length, symbol }, index) => {
    if (index > 0) code = (code + 1) << (length - previous);
    previous = length;
    let node = 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      const slot = 2 * node + ((code >>> bit) & 1);
      if (bit === 0) {
        children[slot] = -(symbol + 1);
      } else {
        if (children[slot] === 0 || children[slot] === undefined) {
          children[slot] = nodes++;
          children.push(0, 0);
        }
        node = children[slot]!;
      }
    }
  });
  // Depth of the all-ones path to a node, or -1 when the path has a zero.
  const onesDepth = new Int8Array(nodes).fill(-1);
  onesDepth[0] = 0;
  for (let node = 0, depth = 0; ; depth++) {
    const next = children[2 * node + 1]!;
    if (next <= 0) break;
    onesDepth[next] = depth + 1;
    node = next;
  }
  const transitions = new Int32Array(nodes * 16);
  const accepting = new Uint8Array(nodes);
  for (let state = 0; state < nodes; state++) {
    accepting[state] = onesDepth[state]! >= 0 && onesDepth[state]! <= 7 ? 1 : 0;
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const child = children[2 * node + ((nibble >>> bit) & 1)]!;
        if (child < 0) {
          const symbol = -child - 1;
          if (symbol === EOS) {
            entry = FAILS;
            break;
          }
          entry |= EMITS | (symbol << 16);
          node = 0;
        } else {
          node = child;
        }
      }
      transitions[state * 16 + nibble] = (entry & FAILS) !== 0 ? FAILS : entry | node;
    }
  }
  return { transitions, accepting };
}

const TABLES = buildTables();

/** Scratch for decoded bytes, grown on demand: Huffman output is at most 8/5 of its input. */
let scratch = new Uint8Array(4096);

/**
 * Decodes the Huffman-coded string `bytes[start, end)` to Latin-1 text (one character per byte).
 * Returns undefined when it is invalid: EOS inside the string, or padding longer than 7 bits or
 * not all ones (RFC 7541 §5.2).
 */
export function decodeHuffman(bytes: Uint8Array, start: number, end: number): string | undefined {
  const needed = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < needed) scratch = new Uint8Array(needed * 2);
  const out = scratch;
  const { transitions, accepting } = TABLES;
  let state = 0;
  let length = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    let entry = transitions[state * 16 + (byte >>> 4)]!;
    if ((entry & FAILS) !== 0) return undefined;
    if ((entry & EMITS) !== 0) out[length++] = (entry >>> 16) & 0xff;
    state = entry & 0xffff;
    entry = transitions[state * 16 + (byte & 0x0f)]!;
    if ((entry & FAILS) !== 0) return undefined;
    if ((entry & EMITS) !== 0) out[length++] = (entry >>> 16) & 0xff;
    state = entry & 0xffff;
  }
  if (accepting[state] !== 1) return undefined;
  return Buffer.from(out.buffer, out.byteOffset, length).toString('latin1');
}
