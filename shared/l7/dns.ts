import type { DnsAnswer } from '../record/traceRecord';
import { u16, u32 } from './bytes';
import { readDnsNameOrProblem } from './dnsName';
import { renderRdataBounded } from './dnsRdata';
import { dnsRcodeName, DnsType, dnsTypeName } from './dnsTypes';
import type { L7Fields } from './l7Fields';
import { FIELD_LIMITS, truncateField } from './truncate';

/** Most answers rendered into `DnsAnswers` per message. */
export const MAX_DNS_ANSWERS = 64;
/** Most records walked in the authority and additional sections looking for EDNS OPT. */
const MAX_EXTRA_RECORDS = 64;
const HEADER_BYTES = 12;

/** What {@link parseDnsMessage} made of a message. */
export type DnsParse =
  | {
      ok: true;
      fields: L7Fields;
      /** True when some answers could not be read (message truncated or damaged after the question). */
      partial: boolean;
    }
  | { ok: false; reason: string };

/**
 * Receives each answer record {@link parseDnsMessage} could read, before rendering (OPT
 * included, beyond `MAX_DNS_ANSWERS` too): its owner name, RR type number, TTL in seconds, and
 * where its RDATA lies in `message` (`[dataStart, dataEnd)`). Used by the DNS name cache, which
 * needs owner names (CNAME chains) and raw addresses the record fields do not carry.
 */
export type DnsAnswerVisitor = (
  owner: string,
  type: number,
  ttl: number,
  message: Uint8Array,
  dataStart: number,
  dataEnd: number,
) => void;

/**
 * Parses one DNS message (without the TCP length prefix) into record fields: id, QR flag, first
 * question's name and type, response code (with the EDNS extended bits, responses only) and the
 * answer section as `{type, value, ttl}`. The header and first question must be intact; answers
 * that cannot be read end the list and mark the result `partial`. `onAnswer`, when given, sees
 * every answer record that could be read, in message order; with `renderAnswers` false the
 * answers are only shown to it (no `DnsAnswers`: rendering TXT or SVCB text costs allocations a
 * caller that wants addresses does not need).
 */
export function parseDnsMessage(
  message: Uint8Array,
  onAnswer?: DnsAnswerVisitor,
  renderAnswers = true,
): DnsParse {
  if (message.length < HEADER_BYTES)
    return { ok: false, reason: `message of ${message.length} bytes is shorter than the 12-byte header` };
  const flags = u16(message, 2);
  const isResponse = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const questions = u16(message, 4);
  const answerCount = u16(message, 6);
  const extraCount = u16(message, 8) + u16(message, 10);
  const fields: L7Fields = { L7Protocol: 'DNS', DnsId: u16(message, 0), DnsIsResponse: isResponse };
  if (opcode > 6) return { ok: false, reason: `opcode ${opcode} is not assigned` };

  let at = HEADER_BYTES;
  for (let q = 0; q < questions; q++) {
    const name = readDnsNameOrProblem(message, at);
    if (typeof name === 'string' || name.next + 4 > message.length) {
      // Kept as tshark shows it: header fields and what parsed, with the problem named.
      const problem = typeof name === 'string' ? name : 'question runs past the end of the message';
      fields.DnsParseError = `question ${q + 1} at offset ${at}: ${problem}`;
      if (isResponse) fields.DnsResponseCode = dnsRcodeName(flags & 0xf);
      return { ok: true, fields, partial: true };
    }
    if (q === 0) {
      fields.DnsQuery = truncateField(name.name, FIELD_LIMITS.short);
      fields.DnsQueryType = dnsTypeName(u16(message, name.next));
    }
    at = name.next + 4;
  }

  let partial = false;
  const answers: DnsAnswer[] = [];
  for (let a = 0; a < answerCount; a++) {
    const record = readRecord(message, at);
    if (typeof record === 'string') {
      partial = true;
      fields.DnsParseError = `answer ${a + 1} at offset ${at}: ${record}`;
      break;
    }
    at = record.next;
    onAnswer?.(record.owner, record.type, record.ttl, message, record.dataStart, record.next);
    if (!renderAnswers || record.type === DnsType.OPT || answers.length >= MAX_DNS_ANSWERS) continue;
    const value = renderRdataBounded(message, record.type, record.dataStart, record.next);
    if (value === undefined) {
      partial = true;
      continue;
    }
    answers.push({ type: dnsTypeName(record.type), value, ttl: record.ttl });
  }

  let extendedRcode = 0;
  for (let e = 0; !partial && e < Math.min(extraCount, MAX_EXTRA_RECORDS); e++) {
    const record = readRecord(message, at);
    if (typeof record === 'string') break;
    if (record.type === DnsType.OPT) extendedRcode = (record.ttl >>> 24) & 0xff;
    at = record.next;
  }
  if (isResponse) {
    fields.DnsResponseCode = dnsRcodeName((extendedRcode << 4) | (flags & 0xf));
    if (answers.length > 0) fields.DnsAnswers = answers;
  }
  return { ok: true, fields, partial };
}

interface RawRecord {
  /** Owner name in presentation form. */
  owner: string;
  type: number;
  ttl: number;
  dataStart: number;
  next: number;
}

/** The record at `offset`, or what is wrong with it. */
function readRecord(message: Uint8Array, offset: number): RawRecord | string {
  const owner = readDnsNameOrProblem(message, offset);
  if (typeof owner === 'string') return `owner name: ${owner}`;
  if (owner.next + 10 > message.length) return 'record runs past the end of the message';
  const dataStart = owner.next + 10;
  const next = dataStart + u16(message, owner.next + 8);
  if (next > message.length) return 'record data runs past the end of the message';
  return {
    owner: owner.name,
    type: u16(message, owner.next),
    ttl: u32(message, owner.next + 4),
    dataStart,
    next,
  };
}

/** UDP/TCP ports DNS is recognised on: DNS, mDNS, LLMNR. */
export const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);

/** Whether `port` is one of {@link DNS_PORTS}; asked for every packet, so without a Set lookup. */
export function isDnsPort(port: number): boolean {
  return port === 53 || port === 5353 || port === 5355;
}
