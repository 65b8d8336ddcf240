/**
 * Schema-less protobuf wire format. Without a schema almost any byte string parses as
 * a few varints, so acceptance is strict: every tag valid (field number 1..2^29-1 and
 * outside the reserved 19000-19999, wire type varint, 64-bit, length-delimited or
 * 32-bit; no deprecated groups), every varint canonical and at most 10 bytes, lengths
 * within bounds, and the message must end exactly where its bytes end.
 */
import { bytesAsText } from '../text-check.ts';

export type PbValue =
  | { t: 'varint'; no: number; text: string }
  | { t: 'fixed'; no: number }
  | { t: 'string'; no: number; text: string }
  | { t: 'message'; no: number; fields: PbValue[] }
  | { t: 'bytes'; no: number; start: number; end: number };

export interface PbMessage {
  fields: PbValue[];
  /** Printable string fields of 4 characters or more, at any depth. */
  strings: number;
}

/** Reads a canonical varint at `pos`; returns the end offset or -1. */
function varintEnd(buf: Buffer, pos: number, end: number): number {
  for (let i = 0; i < 10; i++) {
    const p = pos + i;
    if (p >= end) return -1;
    const b = buf[p];
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) return -1; // overlong: no encoder writes a trailing zero group
      if (i === 9 && b > 1) return -1; // past 64 bits
      return p + 1;
    }
  }
  return -1;
}

/** Value of the varint in buf[pos, endPos) as a number (exact up to 2^53). */
function varintNumber(buf: Buffer, pos: number, endPos: number): number {
  let v = 0;
  let mul = 1;
  for (let p = pos; p < endPos; p++) {
    v += (buf[p] & 0x7f) * mul;
    mul *= 128;
  }
  return v;
}

/** Decimal text of the varint in buf[pos, endPos) as an unsigned 64-bit number. */
function varintText(buf: Buffer, pos: number, endPos: number): string {
  if (endPos - pos <= 7) return String(varintNumber(buf, pos, endPos));
  let v = 0n;
  for (let p = endPos - 1; p >= pos; p--) v = (v << 7n) | BigInt(buf[p] & 0x7f);
  return v.toString();
}

interface Budget {
  fields: number;
}

/**
 * One message level over buf[start, end), or null unless it parses completely.
 * Length-delimited payloads are read as a nested message, a string or bytes; `depth`
 * levels of nesting at most, and no more fields than the budget holds.
 */
function readMessage(buf: Buffer, start: number, end: number, depth: number, budget: Budget, out: PbMessage): PbValue[] | null {
  const fields: PbValue[] = [];
  let pos = start;
  while (pos < end) {
    if (--budget.fields < 0) return null;
    const tagEnd = varintEnd(buf, pos, end);
    if (tagEnd < 0 || tagEnd - pos > 5) return null;
    const tag = varintNumber(buf, pos, tagEnd);
    const wire = tag % 8;
    const no = Math.floor(tag / 8);
    if (no < 1 || no > 0x1fffffff || (no >= 19000 && no <= 19999)) return null;
    pos = tagEnd;
    if (wire === 0) {
      const vEnd = varintEnd(buf, pos, end);
      if (vEnd < 0) return null;
      fields.push({ t: 'varint', no, text: varintText(buf, pos, vEnd) });
      pos = vEnd;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > end) return null;
      fields.push({ t: 'fixed', no });
    } else if (wire === 2) {
      const lEnd = varintEnd(buf, pos, end);
      if (lEnd < 0) return null;
      const n = varintNumber(buf, pos, lEnd);
      const pStart = lEnd;
      const pEnd = pStart + n;
      if (pEnd > end) return null;
      fields.push(readLengthDelimited(buf, no, pStart, pEnd, depth, budget, out));
      pos = pEnd;
    } else {
      return null;
    }
  }
  return fields.length > 0 ? fields : null;
}

function readLengthDelimited(buf: Buffer, no: number, start: number, end: number, depth: number, budget: Budget, out: PbMessage): PbValue {
  const bytes = buf.subarray(start, end);
  const text = bytesAsText(bytes, 'field');
  // A string that starts with a printable character stays a string; one that starts
  // with tab/LF/CR (0x09/0x0a/0x0d are also tags of field 1) may be a message.
  const first = bytes.length > 0 ? bytes[0] : 0x20;
  if (text === null || first < 0x20) {
    if (depth > 1 && bytes.length >= 2) {
      const saveFields = budget.fields;
      const saveStrings = out.strings;
      const nested = readMessage(buf, start, end, depth - 1, budget, out);
      if (nested !== null) return { t: 'message', no, fields: nested };
      budget.fields = saveFields;
      out.strings = saveStrings;
    }
  }
  if (text !== null) {
    if (text.length >= 4) out.strings++;
    return { t: 'string', no, text };
  }
  return { t: 'bytes', no, start, end };
}

/**
 * Reads `buf` as a protobuf message, or null when it is not one by the strict rules.
 * `maxFields` bounds the work on hostile input (fields at all depths).
 */
export function readProtobuf(buf: Buffer, maxDepth: number, maxFields: number): PbMessage | null {
  if (buf.length < 2) return null;
  // Cheap first-byte test: the first tag's wire type must be 0, 1, 2 or 5.
  const w = buf[0] & 7;
  if (w === 3 || w === 4 || w === 6 || w === 7) return null;
  const out: PbMessage = { fields: [], strings: 0 };
  const fields = readMessage(buf, 0, buf.length, maxDepth, { fields: maxFields }, out);
  if (fields === null) return null;
  out.fields = fields;
  return out;
}
