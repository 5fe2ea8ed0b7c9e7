import { latin1 } from './bytes';
import { decodeHuffman } from './hpackHuffman';
import { HPACK_STATIC_ENTRIES, HPACK_STATIC_TABLE } from './hpackStaticTable';

/** Why a header block could not be decoded; each ends parsing of the connection (RFC 7541 §2.3.3, §4.2, §6). */
export type HpackError =
  | 'hpack-integer-overflow'
  | 'hpack-truncated'
  | 'hpack-bad-index'
  | 'hpack-bad-huffman'
  | 'hpack-table-size-update'
  | 'header-list-too-large';

/**
 * Receives the fields of a header block in order. `name` is undefined when the field refers to a
 * dynamic table entry from before the capture started (see {@link HpackDecoder.partial}): its
 * name and value are unknown and must not be guessed.
 */
export type HeaderFieldSink = (name: string | undefined, value: string | undefined) => void;

/** Bounds of one {@link HpackDecoder}. */
export interface HpackLimits {
  /** Largest dynamic table size accepted in a size update, in octets (RFC 7541 §4.1). Default 65 536. */
  maxTableSize: number;
  /** Largest decoded header list (sum of name + value + 32 per field, RFC 9113 §6.5.2). Default 262 144. */
  maxHeaderListSize: number;
}

/** Default {@link HpackLimits}. */
export const DEFAULT_HPACK_LIMITS: HpackLimits = { maxTableSize: 65_536, maxHeaderListSize: 262_144 };

/** Per-entry overhead in the table size (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;
/** Largest prefixed integer read; anything larger is an attack or garbage. */
const MAX_INTEGER = 0x0fffffff;

/**
 * An HPACK decoder for one direction of one connection (RFC 7541): static and dynamic tables,
 * Huffman strings, dynamic table size updates and eviction. Decodes only; keeps names and values
 * as Latin-1 strings.
 */
export class HpackDecoder {
  /**
   * Set when the capture started mid-connection: entries that predate the capture are unknown.
   * Fields referring to them are reported with an unknown name instead of failing the block.
   */
  partial = false;
  /** Whether the last decoded block referred to an unknown entry. */
  sawUnknown = false;
  /** Newest entry last. A `name` of undefined is an entry whose name predates the capture. */
  private names: Array<string | undefined> = [];
  private values: string[] = [];
  private size = 0;
  /** Current maximum size set by the encoder (size updates), within `allowedTableSize`. */
  private maxSize = 4096;
  /** The limit the decoding endpoint announced (SETTINGS_HEADER_TABLE_SIZE), bounded by the limits. */
  private allowedTableSize = 4096;
  private at = 0;
  private end = 0;

  constructor(private readonly limits: HpackLimits = DEFAULT_HPACK_LIMITS) {}

  /** Entries currently in the dynamic table. */
  get dynamicEntries(): number {
    return this.names.length;
  }

  /** Octets the dynamic table currently uses (RFC 7541 §4.1). */
  get tableSize(): number {
    return this.size;
  }

  /** The decoding endpoint announced SETTINGS_HEADER_TABLE_SIZE `size`; the encoder may use up to it. */
  announceTableSize(size: number): void {
    this.allowedTableSize = Math.min(Math.max(size, this.allowedTableSize), this.limits.maxTableSize);
  }

  /**
   * Decodes the header block `block[start, end)`, passing each field to `sink`. Returns an error
   * code, or undefined on success. After an error the table state is undefined: stop decoding.
   */
  decode(block: Uint8Array, start: number, end: number, sink: HeaderFieldSink): HpackError | undefined {
    this.at = start;
    this.end = end;
    this.sawUnknown = false;
    let listSize = 0;
    let fieldSeen = false;
    while (this.at < end) {
      const first = block[this.at]!;
      if ((first & 0x80) !== 0) {
        const index = this.integer(block, 7);
        if (index < 0) return index === -1 ? 'hpack-truncated' : 'hpack-integer-overflow';
        if (index === 0) return 'hpack-bad-index';
        const entry = this.lookup(index);
        if (entry === undefined) return 'hpack-bad-index';
        const name = entry === UNKNOWN ? undefined : this.lookupName(index);
        const value = entry === UNKNOWN ? undefined : this.lookupValue(index);
        listSize += (name?.length ?? 0) + (value?.length ?? 0) + ENTRY_OVERHEAD;
        if (listSize > this.limits.maxHeaderListSize) return 'header-list-too-large';
        fieldSeen = true;
        sink(name, value);
        continue;
      }
      if ((first & 0xe0) === 0x20) {
        // Dynamic table size update: only before the first field of a block (RFC 7541 §4.2).
        if (fieldSeen) return 'hpack-table-size-update';
        const size = this.integer(block, 5);
        if (size < 0) return size === -1 ? 'hpack-truncated' : 'hpack-integer-overflow';
        if (size > this.allowedTableSize) {
          // A SETTINGS frame raising the limit may predate the capture; accept within our own bound.
          if (size > this.limits.maxTableSize) return 'hpack-table-size-update';
          this.allowedTableSize = size;
        }
        this.maxSize = size;
        this.evict(0);
        continue;
      }
      // Literal: with incremental indexing (01), without indexing (0000) or never indexed (0001).
      const indexing = (first & 0xc0) === 0x40;
      const index = this.integer(block, indexing ? 6 : 4);
      if (index < 0) return index === -1 ? 'hpack-truncated' : 'hpack-integer-overflow';
      let name: string | undefined;
      let nameKnown = true;
      if (index === 0) {
        const literal = this.string(block);
        if (typeof literal === 'number') return stringError(literal);
        name = literal;
      } else {
        const entry = this.lookup(index);
        if (entry === undefined) return 'hpack-bad-index';
        if (entry === UNKNOWN) nameKnown = false;
        else name = this.lookupName(index);
      }
      const value = this.string(block);
      if (typeof value === 'number') return stringError(value);
      listSize += (name?.length ?? 0) + value.length + ENTRY_OVERHEAD;
      if (listSize > this.limits.maxHeaderListSize) return 'header-list-too-large';
      if (indexing) this.insert(nameKnown ? name : undefined, value);
      fieldSeen = true;
      sink(nameKnown ? name : undefined, nameKnown ? value : undefined);
    }
    return undefined;
  }

  /** Reads a prefixed integer (RFC 7541 §5.1); -1 when truncated, -2 when too large. */
  private integer(block: Uint8Array, prefixBits: number): number {
    const mask = (1 << prefixBits) - 1;
    let value = block[this.at++]! & mask;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.at >= this.end) return -1;
      const byte = block[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) return -2;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  }

  /** Reads a string literal (RFC 7541 §5.2); -1 truncated, -2 too large, -3 bad Huffman. */
  private string(block: Uint8Array): string | number {
    if (this.at >= this.end) return -1;
    const huffman = (block[this.at]! & 0x80) !== 0;
    const length = this.integer(block, 7);
    if (length < 0) return length;
    if (length > this.limits.maxHeaderListSize) return -2;
    if (this.at + length > this.end) return -1;
    const start = this.at;
    this.at += length;
    if (!huffman) return latin1(block, start, start + length);
    return decodeHuffman(block, start, start + length) ?? -3;
  }

  /** Whether `index` exists: KNOWN, UNKNOWN (predates the capture), or undefined (invalid). */
  private lookup(index: number): typeof KNOWN | typeof UNKNOWN | undefined {
    if (index <= HPACK_STATIC_ENTRIES) return KNOWN;
    const position = this.names.length - (index - HPACK_STATIC_ENTRIES);
    if (position >= 0) {
      if (this.names[position] === undefined) {
        this.sawUnknown = true;
        return UNKNOWN;
      }
      return KNOWN;
    }
    if (this.partial) {
      this.sawUnknown = true;
      return UNKNOWN;
    }
    return undefined;
  }

  private lookupName(index: number): string {
    if (index <= HPACK_STATIC_ENTRIES) return HPACK_STATIC_TABLE[index - 1]![0];
    return this.names[this.names.length - (index - HPACK_STATIC_ENTRIES)]!;
  }

  private lookupValue(index: number): string {
    if (index <= HPACK_STATIC_ENTRIES) return HPACK_STATIC_TABLE[index - 1]![1];
    return this.values[this.values.length - (index - HPACK_STATIC_ENTRIES)]!;
  }

  /** Adds an entry, evicting the oldest as needed (RFC 7541 §4.4). An entry larger than the table empties it. */
  private insert(name: string | undefined, value: string): void {
    const entrySize = (name?.length ?? 0) + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.maxSize) {
      this.evict(this.maxSize);
      return;
    }
    this.evict(entrySize);
    this.names.push(name);
    this.values.push(value);
    this.size += entrySize;
  }

  /** Evicts oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    let drop = 0;
    while (this.size + room > this.maxSize && drop < this.names.length) {
      this.size -= (this.names[drop]?.length ?? 0) + this.values[drop]!.length + ENTRY_OVERHEAD;
      drop++;
    }
    if (drop > 0) {
      this.names.splice(0, drop);
      this.values.splice(0, drop);
    }
  }
}

function stringError(code: number): HpackError {
  return code === -3 ? 'hpack-bad-huffman' : code === -2 ? 'header-list-too-large' : 'hpack-truncated';
}

const KNOWN = 1;
const UNKNOWN = 2;
