/**
 * The host's upload pieces on their own: the streaming multipart reader (fed bodies
 * that undici's FormData wrote, cut at every byte) and file-name sanitising.
 */
import { describe, expect, it } from 'vitest';
import { MultipartError, MultipartReader, multipartBoundary } from '../../electron/host/multipart.ts';
import type { MultipartEvent } from '../../electron/host/multipart.ts';
import { headerFileName, sanitizeFileName } from '../../electron/host/upload.ts';

interface Part {
  name: string | null;
  filename: string | null;
  data: Buffer;
}

/** Run a body through the reader in chunks of `size` bytes. */
function parse(boundary: string, body: Buffer, size: number): Part[] {
  const reader = new MultipartReader(boundary);
  const parts: Part[] = [];
  let current: { name: string | null; filename: string | null; chunks: Buffer[] } | null = null;
  const handle = (e: MultipartEvent): void => {
    if (e.type === 'part') current = { name: e.headers.name, filename: e.headers.filename, chunks: [] };
    else if (e.type === 'data') current?.chunks.push(Buffer.from(e.bytes));
    else if (e.type === 'part-end' && current !== null) {
      parts.push({ name: current.name, filename: current.filename, data: Buffer.concat(current.chunks) });
      current = null;
    }
  };
  for (let i = 0; i < body.length; i += size) for (const e of reader.push(body.subarray(i, i + size))) handle(e);
  reader.finish();
  return parts;
}

/** A multipart body as undici (Node's fetch) serialises a FormData. */
async function formBody(form: FormData): Promise<{ boundary: string; body: Buffer }> {
  const res = new Response(form);
  const boundary = multipartBoundary(res.headers.get('content-type') ?? undefined);
  if (boundary === null) throw new Error('no boundary');
  return { boundary, body: Buffer.from(await res.arrayBuffer()) };
}

describe('MultipartReader', () => {
  it('reads every part whatever the chunking, including data that looks like a boundary', async () => {
    // Bytes that start like the delimiter, a lone CR LF, and binary noise.
    const tricky = Buffer.concat([Buffer.from('\r\n--'), Buffer.from('\r\n-'), Buffer.from([0, 255, 13, 10, 45, 45]), Buffer.from('end')]);
    const form = new FormData();
    form.append('note', 'plain field');
    form.append('file', new Blob([new Uint8Array(tricky)]), 'tricky.bin');
    form.append('file', new Blob([new Uint8Array(Buffer.from('second file'))]), 'naïve name.pcap');
    form.append('empty', new Blob([]), 'empty.har');
    const { boundary, body } = await formBody(form);
    const whole = parse(boundary, body, body.length);
    expect(whole.map((p) => [p.name, p.filename])).toEqual([
      ['note', null],
      ['file', 'tricky.bin'],
      ['file', 'naïve name.pcap'],
      ['empty', 'empty.har'],
    ]);
    expect(whole[1]?.data.equals(tricky)).toBe(true);
    expect(whole[2]?.data.toString()).toBe('second file');
    expect(whole[3]?.data.length).toBe(0);
    for (let size = 1; size <= 64; size++) expect(parse(boundary, body, size), `chunks of ${size}`).toEqual(whole);
  });

  it('refuses a body that ends before its closing boundary', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(Buffer.from('data'))]), 'a.pcap');
    const { boundary, body } = await formBody(form);
    expect(() => parse(boundary, body.subarray(0, body.length - 10), 7)).toThrow(MultipartError);
  });

  it('takes the boundary only from multipart/form-data', () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('Multipart/Form-Data;charset=utf-8; BOUNDARY=xyz')).toBe('xyz');
    expect(multipartBoundary('application/octet-stream')).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
    expect(multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toBeNull();
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['capture.pcapng', 'capture.pcapng'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\phone.pcap', 'phone.pcap'],
    ['.bashrc', 'bashrc'],
    ['...', 'upload'],
    ['', 'upload'],
    ['a\u0000b\u0007c.har', 'a_b_c.har'],
    ['rm -rf $(x);.pcap', 'rm -rf _(x)_.pcap'],
    ['CON.pcap', '_CON.pcap'],
    ['nul', '_nul'],
    ['Łódź trip.pcap.gz', 'Łódź trip.pcap.gz'],
  ])('%j → %j', (raw, safe) => {
    expect(sanitizeFileName(raw)).toBe(safe);
  });

  it('keeps long names short and their extension whole', () => {
    const name = sanitizeFileName(`${'x'.repeat(500)}.pcap.gz`);
    expect(name.length).toBeLessThanOrEqual(128);
    expect(name.endsWith('.pcap.gz')).toBe(true);
  });

  it('reads percent-encoded UTF-8 names from X-Filename', () => {
    expect(headerFileName(encodeURIComponent('naïve é.pcap'))).toBe('naïve é.pcap');
    expect(headerFileName('100%.pcap')).toBe('100%.pcap');
    expect(headerFileName('  ')).toBeNull();
    expect(headerFileName(undefined)).toBeNull();
  });
});
