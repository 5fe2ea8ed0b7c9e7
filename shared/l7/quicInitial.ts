import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { u16 } from './bytes';

/** Initial salts and labels per QUIC version (RFC 9001 §5.2, RFC 9369 §3.3.1, draft-29). */
const VERSIONS: ReadonlyMap<number, { salt: Buffer; prefix: string; initialType: number }> = new Map([
  [
    0x00000001,
    { salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'), prefix: 'quic', initialType: 0 },
  ],
  [
    0x6b3343cf,
    {
      salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'),
      prefix: 'quicv2',
      initialType: 1,
    },
  ],
  [
    0xff00001d,
    { salt: Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex'), prefix: 'quic', initialType: 0 },
  ],
]);

/** A decrypted QUIC Initial packet: connection ids and the CRYPTO frame data it carries. */
export interface QuicInitial {
  version: number;
  destinationCid: Uint8Array;
  sourceCid: Uint8Array;
  /** CRYPTO frames: offset in the handshake stream and their bytes. */
  crypto: Array<{ offset: number; data: Uint8Array }>;
}

/** Reads a QUIC variable-length integer (RFC 9000 §16) at `offset`: value and size, or undefined. */
export function readVarint(bytes: Uint8Array, offset: number): { value: number; size: number } | undefined {
  if (offset >= bytes.length) return undefined;
  const first = bytes[offset] ?? 0;
  const size = 1 << (first >> 6);
  if (offset + size > bytes.length) return undefined;
  let value = first & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + (bytes[offset + i] ?? 0);
  return { value, size };
}

/** True when `bytes` starts with a long-header packet of a QUIC version whose Initial keys are known. */
export function looksLikeQuicInitial(bytes: Uint8Array): boolean {
  if (bytes.length < 7 || ((bytes[0] ?? 0) & 0xc0) !== 0xc0) return false;
  const spec = VERSIONS.get(u16(bytes, 1) * 0x10000 + u16(bytes, 3));
  return spec !== undefined && (((bytes[0] ?? 0) >> 4) & 0x03) === spec.initialType;
}

function hkdfExtract(salt: Buffer, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an empty context, for lengths up to 32. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([0, 1]),
  ]);
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** Initial packet protection of one side: AEAD key and IV, and the header protection key. */
export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** Where {@link decryptQuicInitial} gets its keys: {@link initialKeys}, or a cache of it. */
export type InitialKeySource = (
  version: number,
  originalDcid: Uint8Array,
  side: 'client' | 'server',
) => InitialKeys | undefined;

/** Initial packet protection keys for one side (RFC 9001 §5.2). */
export function initialKeys(
  version: number,
  originalDcid: Uint8Array,
  side: 'client' | 'server',
): InitialKeys | undefined {
  const spec = VERSIONS.get(version);
  if (spec === undefined) return undefined;
  const secret = expandLabel(hkdfExtract(spec.salt, originalDcid), `${side} in`, 32);
  return {
    key: expandLabel(secret, `${spec.prefix} key`, 16),
    iv: expandLabel(secret, `${spec.prefix} iv`, 12),
    hp: expandLabel(secret, `${spec.prefix} hp`, 16),
  };
}

/**
 * Removes header protection from and decrypts the first QUIC Initial packet of a datagram, using
 * keys derived from `originalDcid` (the client's first Destination Connection ID; for a client
 * packet, its own DCID). Returns undefined for anything that is not an authentic Initial packet.
 * `keysFor` lets a caller reuse keys it derived before (see `QuicKeyCache`).
 */
export function decryptQuicInitial(
  datagram: Uint8Array,
  side: 'client' | 'server',
  originalDcid?: Uint8Array,
  keysFor: InitialKeySource = initialKeys,
): QuicInitial | undefined {
  if (!looksLikeQuicInitial(datagram)) return undefined;
  const version = u16(datagram, 1) * 0x10000 + u16(datagram, 3);
  let at = 5;
  const dcidLength = datagram[at] ?? 0;
  if (dcidLength > 20 || at + 1 + dcidLength >= datagram.length) return undefined;
  const destinationCid = datagram.subarray(at + 1, at + 1 + dcidLength);
  at += 1 + dcidLength;
  const scidLength = datagram[at] ?? 0;
  if (scidLength > 20 || at + 1 + scidLength >= datagram.length) return undefined;
  const sourceCid = datagram.subarray(at + 1, at + 1 + scidLength);
  at += 1 + scidLength;
  const token = readVarint(datagram, at);
  if (!token) return undefined;
  at += token.size + token.value;
  const length = readVarint(datagram, at);
  if (!length) return undefined;
  at += length.size;
  const pnOffset = at;
  const packetEnd = pnOffset + length.value;
  if (packetEnd > datagram.length || pnOffset + 4 + 16 > packetEnd) return undefined;
  const keys = keysFor(version, originalDcid ?? destinationCid, side);
  if (!keys) return undefined;
  const mask = createCipheriv('aes-128-ecb', keys.hp, null).update(
    datagram.subarray(pnOffset + 4, pnOffset + 20),
  );
  const header = Buffer.from(datagram.subarray(0, pnOffset + 4));
  header[0] = (header[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
  const pnLength = ((header[0] ?? 0) & 0x03) + 1;
  let packetNumber = 0;
  for (let i = 0; i < pnLength; i++) {
    const byte = (header[pnOffset + i] ?? 0) ^ (mask[1 + i] ?? 0);
    header[pnOffset + i] = byte;
    packetNumber = packetNumber * 256 + byte;
  }
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] = (nonce[11 - i] ?? 0) ^ ((packetNumber >>> (8 * i)) & 0xff);
  const payloadStart = pnOffset + pnLength;
  try {
    const decipher = createDecipheriv('aes-128-gcm', keys.key, nonce);
    decipher.setAAD(header.subarray(0, payloadStart));
    decipher.setAuthTag(datagram.subarray(packetEnd - 16, packetEnd));
    const body = decipher.update(datagram.subarray(payloadStart, packetEnd - 16));
    // GCM is a stream mode: final() only checks the tag and returns no bytes, so no concat is needed.
    const rest = decipher.final();
    const plain = rest.length === 0 ? body : Buffer.concat([body, rest]);
    const crypto = cryptoFrames(plain);
    return crypto && { version, destinationCid, sourceCid, crypto };
  } catch {
    // Authentication failed: not an Initial for these keys (or damaged). Never an error.
    return undefined;
  }
}

/** CRYPTO frames of an Initial packet's plaintext; undefined on a frame type not allowed there. */
function cryptoFrames(plain: Uint8Array): QuicInitial['crypto'] | undefined {
  const frames: QuicInitial['crypto'] = [];
  let at = 0;
  while (at < plain.length) {
    const type = plain[at] ?? 0;
    if (type === 0x00 || type === 0x01) {
      at++;
    } else if (type === 0x02 || type === 0x03) {
      // ACK: largest, delay, range count, first range, then count × (gap, length) [+ 3 ECN counts].
      const rangeCount = readVarint(plain, skipVarints(plain, at + 1, 2));
      if (!rangeCount) return undefined;
      const after = skipVarints(plain, at + 1, 3 + 1 + rangeCount.value * 2 + (type === 0x03 ? 3 : 0));
      if (after < 0) return undefined;
      at = after;
    } else if (type === 0x06) {
      const offset = readVarint(plain, at + 1);
      const length = offset && readVarint(plain, at + 1 + offset.size);
      if (!offset || !length) return undefined;
      const start = at + 1 + offset.size + length.size;
      if (start + length.value > plain.length) return undefined;
      frames.push({ offset: offset.value, data: plain.subarray(start, start + length.value) });
      at = start + length.value;
    } else {
      // CONNECTION_CLOSE or anything else: nothing more to read for our purpose.
      break;
    }
  }
  return frames;
}

/** Offset after `count` varints starting at `offset`, or -1 when they run past the end. */
function skipVarints(bytes: Uint8Array, offset: number, count: number): number {
  let at = offset;
  for (let i = 0; i < count; i++) {
    const v = readVarint(bytes, at);
    if (!v) return -1;
    at += v.size;
  }
  return at;
}
