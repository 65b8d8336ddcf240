/**
 * Presentation form of the RDATA of answer records: addresses, target names, MX, TXT,
 * SOA, and SVCB/HTTPS summaries such as `1 . alpn=h2,h3 ipv4hint=1.2.3.4 ech=AEn+...`.
 * Unknown types use the RFC 3597 generic form `\# <len> <hex>`.
 */
import { hexText, ipv4Text, ipv6Text, nameResult, readName } from './dns-wire.ts';

export const TYPE_A = 1;
export const TYPE_NS = 2;
export const TYPE_CNAME = 5;
export const TYPE_SOA = 6;
export const TYPE_PTR = 12;
export const TYPE_MX = 15;
export const TYPE_TXT = 16;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_SVCB = 64;
export const TYPE_HTTPS = 65;

/** Longest RDATA shown in full by the generic hex form; longer data is cut with an ellipsis. */
const GENERIC_HEX_MAX = 256;

/** Set by `formatRdata` when the RDATA did not match its type's layout; null otherwise. */
export const rdataResult = { error: null as string | null };

/** Presentation form of the RDATA at [start, end) of `msg` for RR `type`. */
export function formatRdata(msg: Buffer, type: number, start: number, end: number): string {
  rdataResult.error = null;
  const len = end - start;
  switch (type) {
    case TYPE_A:
      if (len === 4) return ipv4Text(msg, start);
      break;
    case TYPE_AAAA:
      if (len === 16) return ipv6Text(msg, start);
      break;
    case TYPE_NS:
    case TYPE_CNAME:
    case TYPE_PTR: {
      const name = readName(msg, start);
      if (nameResult.error !== null) rdataResult.error = nameResult.error;
      return name;
    }
    case TYPE_MX: {
      if (len < 3) break;
      const name = readName(msg, start + 2);
      if (nameResult.error !== null) rdataResult.error = nameResult.error;
      return `${msg.readUInt16BE(start)} ${name}`;
    }
    case TYPE_SRV: {
      if (len < 7) break;
      const name = readName(msg, start + 6);
      if (nameResult.error !== null) rdataResult.error = nameResult.error;
      return `${msg.readUInt16BE(start)} ${msg.readUInt16BE(start + 2)} ${msg.readUInt16BE(start + 4)} ${name}`;
    }
    case TYPE_TXT:
      return formatTxt(msg, start, end);
    case TYPE_SOA:
      return formatSoa(msg, start, end);
    case TYPE_SVCB:
    case TYPE_HTTPS:
      return formatSvcb(msg, start, end);
    default:
      return generic(msg, start, end);
  }
  rdataResult.error = `RDATA of type ${type} has an unexpected length ${len}`;
  return generic(msg, start, end);
}

function generic(msg: Buffer, start: number, end: number): string {
  const shown = Math.min(end, start + GENERIC_HEX_MAX);
  return `\\# ${end - start} ${hexText(msg, start, shown)}${shown < end ? '…' : ''}`;
}

/** A character-string in quotes, with '"' and '\' escaped and non-printables as \DDD. */
function quoted(msg: Buffer, start: number, end: number): string {
  let out = '"';
  for (let i = start; i < end; i++) {
    const c = msg[i];
    if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c < 0x20 || c >= 0x7f) out += `\\${c.toString().padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `${out}"`;
}

function formatTxt(msg: Buffer, start: number, end: number): string {
  const parts: string[] = [];
  let pos = start;
  while (pos < end) {
    const l = msg[pos];
    if (pos + 1 + l > end) {
      rdataResult.error = 'TXT character-string runs past its RDATA';
      parts.push(quoted(msg, pos + 1, end));
      break;
    }
    parts.push(quoted(msg, pos + 1, pos + 1 + l));
    pos += 1 + l;
  }
  return parts.join(' ');
}

function formatSoa(msg: Buffer, start: number, end: number): string {
  const mname = readName(msg, start);
  if (nameResult.error !== null) {
    rdataResult.error = nameResult.error;
    return mname;
  }
  const rname = readName(msg, nameResult.end);
  if (nameResult.error !== null) {
    rdataResult.error = nameResult.error;
    return `${mname} ${rname}`;
  }
  const p = nameResult.end;
  if (p + 20 > end) {
    rdataResult.error = 'SOA RDATA too short for its five counters';
    return `${mname} ${rname}`;
  }
  return `${mname} ${rname} ${msg.readUInt32BE(p)} ${msg.readUInt32BE(p + 4)} ${msg.readUInt32BE(p + 8)} ${msg.readUInt32BE(p + 12)} ${msg.readUInt32BE(p + 16)}`;
}

const SVC_KEY_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp'];

function svcKeyName(key: number): string {
  return key < SVC_KEY_NAMES.length ? SVC_KEY_NAMES[key] : `key${key}`;
}

/** SVCB/HTTPS (RFC 9460): priority, target, then each SvcParam in presentation form. */
function formatSvcb(msg: Buffer, start: number, end: number): string {
  if (end - start < 3) {
    rdataResult.error = 'SVCB RDATA too short';
    return generic(msg, start, end);
  }
  const priority = msg.readUInt16BE(start);
  const target = readName(msg, start + 2);
  if (nameResult.error !== null) {
    rdataResult.error = nameResult.error;
    return `${priority} ${target}`;
  }
  let out = `${priority} ${target}`;
  let pos = nameResult.end;
  while (pos < end) {
    if (pos + 4 > end) {
      rdataResult.error = 'SVCB parameter header cut by the end of RDATA';
      break;
    }
    const key = msg.readUInt16BE(pos);
    const vlen = msg.readUInt16BE(pos + 2);
    const v = pos + 4;
    const vend = v + vlen;
    if (vend > end) {
      rdataResult.error = `SVCB parameter ${svcKeyName(key)} runs past its RDATA`;
      break;
    }
    out += ` ${svcKeyName(key)}${svcValue(msg, key, v, vend)}`;
    pos = vend;
  }
  return out;
}

function svcValue(msg: Buffer, key: number, v: number, vend: number): string {
  const len = vend - v;
  if (len === 0) return '';
  switch (key) {
    case 0: {
      const keys: string[] = [];
      for (let p = v; p + 1 < vend; p += 2) keys.push(svcKeyName(msg.readUInt16BE(p)));
      return `=${keys.join(',')}`;
    }
    case 1: {
      const ids: string[] = [];
      let p = v;
      while (p < vend) {
        const l = msg[p];
        const e = Math.min(vend, p + 1 + l);
        ids.push(msg.toString('latin1', p + 1, e).replace(/[\\,]/g, (c) => `\\${c}`));
        p = e;
      }
      return `=${ids.join(',')}`;
    }
    case 3:
      if (len === 2) return `=${msg.readUInt16BE(v)}`;
      break;
    case 4: {
      if (len % 4 !== 0) break;
      const ips: string[] = [];
      for (let p = v; p < vend; p += 4) ips.push(ipv4Text(msg, p));
      return `=${ips.join(',')}`;
    }
    case 6: {
      if (len % 16 !== 0) break;
      const ips: string[] = [];
      for (let p = v; p < vend; p += 16) ips.push(ipv6Text(msg, p));
      return `=${ips.join(',')}`;
    }
    case 5:
      return `=${msg.toString('base64', v, vend)}`;
    case 7:
      return `=${msg.toString('latin1', v, vend)}`;
    default:
      break;
  }
  return `=${hexText(msg, v, vend)}`;
}
