import { createCipheriv } from 'node:crypto';
import { initialKeys } from '../../../shared/l7/quicInitial';
import { be16, bytes } from './builders';

/** A QUIC varint in its 1-, 2- or 4-byte form. */
export function varint(value: number): number[] {
  if (value < 0x40) return [value];
  if (value < 0x4000) return [0x40 | (value >> 8), value & 0xff];
  return [0x80 | ((value >>> 24) & 0x3f), (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** A CRYPTO frame carrying `data` at stream `offset`. */
export function cryptoFrame(offset: number, data: Uint8Array): Uint8Array {
  return bytes(0x06, varint(offset), varint(data.length), data);
}

/**
 * A protected QUIC v1 Initial packet (RFC 9001 §5) holding `frames`, padded to 1200 bytes, with
 * keys from `originalDcid` for `side`.
 */
export function initialPacket(options: {
  side: 'client' | 'server';
  dcid: Uint8Array;
  scid: Uint8Array;
  originalDcid?: Uint8Array;
  packetNumber: number;
  frames: Uint8Array;
}): Uint8Array {
  const keys = initialKeys(1, options.originalDcid ?? options.dcid, options.side)!;
  const plain = bytes(options.frames, new Uint8Array(Math.max(0, 1100 - options.frames.length)));
  const pn = be16(options.packetNumber);
  const length = pn.length + plain.length + 16;
  const header = bytes(
    0xc1,
    0,
    0,
    0,
    1,
    options.dcid.length,
    options.dcid,
    options.scid.length,
    options.scid,
    0,
    0x40 | (length >> 8),
    length & 0xff,
    pn,
  );
  const pnOffset = header.length - 2;
  const nonce = Buffer.from(keys.iv);
  nonce[10]! ^= pn[0]!;
  nonce[11]! ^= pn[1]!;
  const cipher = createCipheriv('aes-128-gcm', keys.key, nonce);
  cipher.setAAD(header);
  const sealed = bytes(cipher.update(plain), cipher.final(), cipher.getAuthTag());
  const packet = bytes(header, sealed);
  const mask = createCipheriv('aes-128-ecb', keys.hp, null).update(
    packet.subarray(pnOffset + 4, pnOffset + 20),
  );
  packet[0]! ^= mask[0]! & 0x0f;
  packet[pnOffset]! ^= mask[1]!;
  packet[pnOffset + 1]! ^= mask[2]!;
  return packet;
}
