import { formatIp } from '../net/ipAddress';
import { hex, latin1, u16, u32 } from './bytes';
import { readDnsName } from './dnsName';
import { DnsType } from './dnsTypes';
import { FIELD_LIMITS, truncateField } from './truncate';

/** SvcParamKey names (RFC 9460 §14.3.2). */
const SVC_PARAM_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

/**
 * Presentation text of the RDATA at `message[start, end)` for RR `type`, like a zone file
 * (names without the trailing dot). Unknown types use RFC 3597 `\# <length> <hex>`. Returns
 * undefined when the RDATA does not fit its type.
 */
export function renderRdata(
  message: Uint8Array,
  type: number,
  start: number,
  end: number,
): string | undefined {
  const length = end - start;
  switch (type) {
    case DnsType.A:
      return length === 4 ? formatIp(message, start, 4) : undefined;
    case DnsType.AAAA:
      return length === 16 ? formatIp(message, start, 16) : undefined;
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR:
    case DnsType.DNAME:
      return nameWithin(message, start, end)?.name;
    case DnsType.MX: {
      if (length < 3) return undefined;
      const exchange = nameWithin(message, start + 2, end);
      return exchange && `${u16(message, start)} ${exchange.name}`;
    }
    case DnsType.SRV: {
      if (length < 7) return undefined;
      const target = nameWithin(message, start + 6, end);
      return (
        target &&
        `${u16(message, start)} ${u16(message, start + 2)} ${u16(message, start + 4)} ${target.name}`
      );
    }
    case DnsType.SOA:
      return renderSoa(message, start, end);
    case DnsType.TXT:
      return renderTxt(message, start, end);
    case DnsType.CAA: {
      if (length < 2) return undefined;
      const tagLength = message[start + 1] ?? 0;
      if (2 + tagLength > length) return undefined;
      const tag = latin1(message, start + 2, start + 2 + tagLength);
      return `${message[start] ?? 0} ${tag} ${quote(message, start + 2 + tagLength, end)}`;
    }
    case DnsType.SVCB:
    case DnsType.HTTPS:
      return renderSvcb(message, start, end);
    default:
      return `\\# ${length}${length > 0 ? ' ' + hex(message, start, Math.min(end, start + 300)) : ''}`;
  }
}

function nameWithin(
  message: Uint8Array,
  start: number,
  end: number,
): { name: string; next: number } | undefined {
  const name = readDnsName(message, start);
  return name && name.next <= end ? name : undefined;
}

function renderSoa(message: Uint8Array, start: number, end: number): string | undefined {
  const mname = nameWithin(message, start, end);
  const rname = mname && nameWithin(message, mname.next, end);
  if (!rname || rname.next + 20 !== end) return undefined;
  const numbers = [0, 4, 8, 12, 16].map((at) => u32(message, rname.next + at));
  return `${mname.name} ${rname.name} ${numbers.join(' ')}`;
}

function renderTxt(message: Uint8Array, start: number, end: number): string | undefined {
  const parts: string[] = [];
  let at = start;
  while (at < end) {
    const length = message[at] ?? 0;
    if (at + 1 + length > end) return undefined;
    parts.push(quote(message, at + 1, at + 1 + length));
    at += 1 + length;
  }
  return parts.join(' ');
}

function quote(bytes: Uint8Array, start: number, end: number): string {
  let text = '"';
  for (let i = start; i < end; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === 0x22 || byte === 0x5c) text += '\\' + String.fromCharCode(byte);
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += '\\' + byte.toString().padStart(3, '0');
  }
  return text + '"';
}

function renderSvcb(message: Uint8Array, start: number, end: number): string | undefined {
  if (end - start < 3) return undefined;
  const target = nameWithin(message, start + 2, end);
  if (!target) return undefined;
  let text = `${u16(message, start)} ${target.name}`;
  let at = target.next;
  while (at < end) {
    if (at + 4 > end) return undefined;
    const key = u16(message, at);
    const length = u16(message, at + 2);
    const valueStart = at + 4;
    const valueEnd = valueStart + length;
    if (valueEnd > end) return undefined;
    text += ' ' + svcParam(message, key, valueStart, valueEnd);
    at = valueEnd;
  }
  return text;
}

function svcParam(message: Uint8Array, key: number, start: number, end: number): string {
  const name = SVC_PARAM_NAMES[key] ?? `key${key}`;
  const length = end - start;
  if (key === 2 && length === 0) return name;
  if (key === 3 && length === 2) return `${name}=${u16(message, start)}`;
  if (key === 1) {
    const ids: string[] = [];
    for (let at = start; at < end;) {
      const idLength = message[at] ?? 0;
      ids.push(latin1(message, at + 1, Math.min(end, at + 1 + idLength)));
      at += 1 + idLength;
    }
    return `${name}=${ids.join(',')}`;
  }
  const width = key === 4 ? 4 : key === 6 ? 16 : 0;
  if (width > 0 && length % width === 0) {
    const addresses: string[] = [];
    for (let at = start; at < end; at += width) addresses.push(formatIp(message, at, width));
    return `${name}=${addresses.join(',')}`;
  }
  if (key === 5) return `${name}=${Buffer.from(message.subarray(start, end)).toString('base64')}`;
  return `${name}=${hex(message, start, end)}`;
}

/** {@link renderRdata} bounded to {@link FIELD_LIMITS.answer} characters. */
export function renderRdataBounded(
  message: Uint8Array,
  type: number,
  start: number,
  end: number,
): string | undefined {
  const text = renderRdata(message, type, start, end);
  return text === undefined ? undefined : truncateField(text, FIELD_LIMITS.answer);
}
