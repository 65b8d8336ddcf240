/** The HTTP/1.x stream handler, fed hand-written streams directly (no dissector). */
import { createHash } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { http1Protocol, pooledBodySize } from '../../../electron/engine/protocols/http1.ts';
import { DECODED_CAP, decodedResponseBody, MEDIA_KEEP_BYTES } from '../../../electron/engine/protocols/http-body.ts';
import type { StreamChunkMeta, StreamDir, TcpConversation } from '../../../electron/engine/protocols/types.ts';
import { CollectingSink, type HttpRecord } from '../../../electron/engine/records.ts';
import { prng } from '../../../tools/synth/packets.ts';

const conv: TcpConversation = {
  input: 3, clientIp: '10.0.0.1', clientPort: 50000, serverIp: '192.0.2.80', serverPort: 80, clientMac: null, serverMac: null,
};

function meta(frame: number, gapBefore = 0): StreamChunkMeta {
  return { frame, tsSec: 1_600_000_000 + frame, tsNsec: 250, gapBefore };
}

type Step = [dir: StreamDir, bytes: Buffer];

interface Run {
  sink: CollectingSink;
  /** Frame that carried the first byte of each step. */
  firstFrames: number[];
}

/** Play steps through a fresh handler, each step cut into chunks by `split` (whole when absent). */
function play(steps: Step[], split?: () => number): Run {
  const sink = new CollectingSink();
  const h = http1Protocol.open(conv, sink);
  let frame = 1;
  const firstFrames: number[] = [];
  for (const [dir, bytes] of steps) {
    firstFrames.push(frame);
    let off = 0;
    while (off < bytes.length) {
      const size = split ? 1 + Math.floor(split() * Math.min(bytes.length, 700)) : bytes.length;
      h.data(dir, bytes.subarray(off, Math.min(bytes.length, off + size)), meta(frame++));
      off += size;
    }
  }
  h.end();
  return { sink, firstFrames };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Comparable view of a record (bodies as hex, bigint as string). */
function view(r: HttpRecord): Record<string, unknown> {
  return {
    method: r.method, host: r.host, uri: r.uri, version: r.version, status: r.status, reason: r.reason,
    requestBody: r.requestBody?.toString('hex') ?? null, requestBodySize: r.requestBodySize,
    responseBody: r.responseBody?.toString('hex') ?? null, responseBodySize: r.responseBodySize,
    requestHeaders: r.requestHeaders, responseHeaders: r.responseHeaders, truncated: r.truncated,
  };
}

function chunked(body: Buffer, sizes: number[], trailer = ''): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  for (const s of sizes) {
    const piece = body.subarray(off, off + s);
    // A zero-size chunk would end the body early.
    if (piece.length === 0) break;
    parts.push(b(`${piece.length.toString(16)};ext=1\r\n`), piece, b('\r\n'));
    off += piece.length;
  }
  if (off < body.length) parts.push(b(`${(body.length - off).toString(16)}\r\n`), body.subarray(off), b('\r\n'));
  parts.push(b(`0\r\n${trailer}\r\n`));
  return Buffer.concat(parts);
}

describe('http1 stream handler', () => {
  it('pairs a GET with its response and points at the first bytes of both', () => {
    const req = b('GET /index.html?q=1 HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\nUser-Agent: t\r\n\r\n');
    const res = b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello');
    const { sink, firstFrames } = play([[0, req], [1, res]]);
    expect(sink.httpRecords).toHaveLength(1);
    const r = sink.httpRecords[0];
    expect(r).toMatchObject({
      input: 3, frame: firstFrames[0], ts: BigInt(1_600_000_000 + firstFrames[0]) * 1_000_000_000n + 250n,
      srcIp: '10.0.0.1', srcPort: 50000, dstIp: '192.0.2.80', dstPort: 80,
      method: 'GET', host: 'www.example.com', uri: '/index.html?q=1', version: 'HTTP/1.1',
      status: 200, reason: 'OK', responseFrame: firstFrames[1], source: 'tcp', truncated: false,
      requestBody: null, requestBodySize: 0, responseBodySize: 5,
    });
    expect(r.responseTs).toBe(BigInt(1_600_000_000 + firstFrames[1]) * 1_000_000_000n + 250n);
    expect(r.responseBody?.toString()).toBe('hello');
    expect(r.requestHeaders).toEqual([['Host', 'WWW.Example.COM:8080'], ['User-Agent', 't']]);
    expect(sink.anomalyRecords).toEqual([]);
  });

  // A pipelined conversation touching every framing rule; the records must not depend
  // on how TCP cut the bytes.
  const gzBody = Buffer.from(`<html>${'pipelined body '.repeat(300)}</html>`);
  const postBody = Buffer.from('a=1&b=two&c=three');
  const requests = Buffer.concat([
    b('GET /one HTTP/1.1\r\nHost: example.org\r\n\r\n'),
    b('HEAD /two HTTP/1.1\r\nHost: example.org\r\n\r\n'),
    b(`POST /three HTTP/1.1\r\nHost: example.org\r\nContent-Length: ${postBody.length}\r\n\r\n`), postBody,
    b('POST /four HTTP/1.1\r\nHost: example.org\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n'),
    chunked(postBody, [3, 5], 'X-Sum: 9\r\n'),
    b('GET /five HTTP/1.1\r\nHost: example.org\r\n\r\n'),
    b('GET /six HTTP/1.1\r\nHost: example.org\r\n\r\n'),
    b('GET /seven HTTP/1.1\r\nHost: example.org\r\n\r\n'),
  ]);
  const gz = gzipSync(gzBody);
  const responses = Buffer.concat([
    b('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none'),
    // HEAD: Content-Length describes the GET body, none follows.
    b('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n'),
    b('HTTP/1.1 204 No Content\r\n\r\n'),
    b('HTTP/1.1 100 Continue\r\n\r\n'),
    b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\nTrailer: X-Check\r\n\r\n'),
    chunked(gz, [10, 100, 7], 'X-Check: yes\r\n'),
    b('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'),
    b('HTTP/1.0 200 OK\r\nX-Note: no length, read until close\r\n\r\nlast body\r\nwith lines'),
  ]);
  // Server answers only after the client sent everything (true pipelining).
  const steps: Step[] = [[0, requests], [1, responses]];

  it('handles pipelining, HEAD/1xx/204/304, chunked trailers, gzip and read-until-close', () => {
    const { sink } = play(steps);
    const recs = sink.httpRecords;
    expect(sink.anomalyRecords).toEqual([]);
    expect(recs.map((r) => [r.method, r.uri, r.status])).toEqual([
      ['GET', '/one', 200], ['HEAD', '/two', 200], ['POST', '/three', 204], ['POST', '/four', 200],
      ['GET', '/five', 304], ['GET', '/six', 200], ['GET', '/seven', null],
    ]);
    expect(recs[0].responseBody?.toString()).toBe('one');
    expect(recs[1].responseBody).toBeNull();
    expect(recs[2].requestBody?.toString()).toBe(postBody.toString());
    expect(recs[3].requestBody?.toString()).toBe(postBody.toString());
    expect(recs[3].requestHeaders).toContainEqual(['X-Sum', '9']);
    // A compressed response is kept as sent and decodes to the original when read.
    expect(recs[3].responseBodyEncoding).toBe('gzip');
    expect(recs[3].responseBody?.equals(gz)).toBe(true);
    expect(decodedResponseBody(recs[3])?.body.equals(gzBody)).toBe(true);
    expect(recs[3].responseBodySize).toBe(gz.length);
    expect(recs[3].responseHeaders).toContainEqual(['X-Check', 'yes']);
    expect(recs[4].responseBody).toBeNull();
    expect(recs[5].responseBody?.toString()).toBe('last body\r\nwith lines');
    expect(recs[5].truncated).toBe(false);
    // The seventh request never got an answer: emitted at end() with status null.
    expect(recs[6]).toMatchObject({ status: null, responseFrame: null, responseTs: null, responseHeaders: null });
  });

  it('gives the same records however the stream is cut into segments', () => {
    const reference = play(steps).sink.httpRecords.map(view);
    for (let seed = 1; seed <= 40; seed++) {
      const got = play(steps, prng(seed)).sink;
      expect(got.anomalyRecords, `seed ${seed}`).toEqual([]);
      expect(got.httpRecords.map(view), `seed ${seed}`).toEqual(reference);
    }
  });

  it('decodes deflate (zlib and raw), br, x-gzip and stacked codings', () => {
    const text = Buffer.from('{"events":[{"url":"https://example.com/private","q":"search words"}]}'.repeat(20));
    const cases: Array<[string, Buffer]> = [
      ['deflate', deflateSync(text)],
      ['deflate', deflateRawSync(text)],
      ['br', brotliCompressSync(text)],
      ['x-gzip', gzipSync(text)],
      // Applied gzip first, then br: decoded in reverse.
      ['gzip, br', brotliCompressSync(gzipSync(text))],
      ['identity, gzip', gzipSync(text)],
    ];
    for (const [coding, body] of cases) {
      const { sink } = play([
        [0, Buffer.concat([b(`POST /c HTTP/1.1\r\nHost: h\r\nContent-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n\r\n`), body])],
        [1, Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n\r\n`), body])],
      ]);
      expect(sink.anomalyRecords, coding).toEqual([]);
      const r = sink.httpRecords[0];
      expect(r.requestBody?.equals(text), coding).toBe(true);
      expect(r.responseBody?.equals(body), coding).toBe(true);
      expect(r.responseBodyEncoding, coding).toBe(coding.replace('identity, ', ''));
      const decoded = decodedResponseBody(r);
      expect(decoded?.error, coding).toBeNull();
      expect(decoded?.body.equals(text), coding).toBe(true);
      expect(r.requestBodySize).toBe(body.length);
    }
  });

  it('stops a gzip bomb at the decoded cap: in a request on import, in a response when read', () => {
    const bomb = gzipSync(Buffer.alloc(DECODED_CAP * 3), { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    const { sink } = play([
      [0, Buffer.concat([b(`POST /bomb HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`), bomb])],
      [1, Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`), bomb])],
    ]);
    const r = sink.httpRecords[0];
    expect(r.truncated).toBe(true);
    expect(r.requestBodySize).toBe(bomb.length);
    expect(r.requestBody!.length).toBeLessThanOrEqual(DECODED_CAP);
    expect(r.requestBody!.length).toBeGreaterThan(DECODED_CAP / 2);
    expect(r.requestBody!.every((x) => x === 0)).toBe(true);
    expect(sink.anomalyRecords.some((a) => a.layer === 'http' && /request body.*cap/.test(a.error))).toBe(true);
    // The response is kept as sent (the bomb's own 8 KiB-odd bytes); reading it stops at the cap.
    expect(r.responseBodySize).toBe(bomb.length);
    expect(r.responseBody?.equals(bomb)).toBe(true);
    const decoded = decodedResponseBody(r)!;
    expect(decoded.truncated).toBe(true);
    expect(decoded.error).toMatch(/cap/);
    expect(decoded.body.length).toBeLessThanOrEqual(DECODED_CAP);
    expect(decoded.body.length).toBeGreaterThan(DECODED_CAP / 2);
  });

  it('keeps a media body over 4 KiB as its SHA-256 and size only, and smaller ones whole', () => {
    const photo = Buffer.alloc(MEDIA_KEEP_BYTES + 1);
    for (let i = 0; i < photo.length; i++) photo[i] = (i * 131 + 7) & 0xff;
    const pixel = Buffer.from('47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b', 'hex');
    const page = Buffer.from('x'.repeat(MEDIA_KEEP_BYTES * 2));
    const { sink } = play([
      [0, b('GET /photo.jpg HTTP/1.1\r\nHost: h\r\n\r\nGET /p.gif HTTP/1.1\r\nHost: h\r\n\r\nGET /page HTTP/1.1\r\nHost: h\r\n\r\n')],
      [1, Buffer.concat([
        b(`HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${photo.length}\r\n\r\n`), photo,
        b(`HTTP/1.1 200 OK\r\nContent-Type: Image/GIF\r\nContent-Length: ${pixel.length}\r\n\r\n`), pixel,
        b(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${page.length}\r\n\r\n`), page,
      ])],
    ]);
    expect(sink.anomalyRecords).toEqual([]);
    const [a, p, t] = sink.httpRecords;
    expect(a.responseBody).toBeNull();
    expect(a.responseBodySha256).toBe(createHash('sha256').update(photo).digest('hex'));
    expect(a.responseBodySize).toBe(photo.length);
    expect(p.responseBody?.equals(pixel)).toBe(true);
    expect(p.responseBodySha256).toBeNull();
    expect(t.responseBody?.equals(page)).toBe(true);
    expect(t.responseBodySha256).toBeNull();
  });

  it('keeps SVG (text) and a media body cut by a capture gap, whose hash would match no object', () => {
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${'<rect/>'.repeat(1000)}</svg>`);
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(0, b('GET /a.svg HTTP/1.1\r\nHost: h\r\n\r\nGET /b.jpg HTTP/1.1\r\nHost: h\r\n\r\n'), meta(1));
    h.data(1, Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Type: image/svg+xml\r\nContent-Length: ${svg.length}\r\n\r\n`), svg]), meta(2));
    const part = Buffer.alloc(MEDIA_KEEP_BYTES * 2, 7);
    h.data(1, Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${part.length * 2}\r\n\r\n`), part]), meta(3));
    // The rest of the picture was lost: a gap, then the connection ends.
    h.data(1, Buffer.alloc(10), meta(4, part.length - 10));
    h.end();
    const [a, c] = sink.httpRecords;
    expect(a.responseBody?.equals(svg)).toBe(true);
    expect(a.responseBodySha256).toBeNull();
    expect(c.truncated).toBe(true);
    expect(c.responseBodySha256).toBeNull();
    expect(c.responseBody?.equals(part)).toBe(true);
  });

  it('hashes media bodies from reused buffers without letting one body see another', () => {
    // Media bodies are filled into buffers that go back to a pool once hashed: a body
    // kept because a gap cut it must be a copy, and a reused buffer must not leak bytes
    // of an earlier (longer) picture into the hash of the next.
    const picture = (n: number, seed: number): Buffer => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 97) & 0xff;
      return out;
    };
    const sink = new CollectingSink();
    const cut = http1Protocol.open(conv, sink);
    const whole = http1Protocol.open({ ...conv, clientPort: 50001 }, sink);
    const big = picture(60_000, 1);
    const part = picture(20_000, 2);
    cut.data(0, b('GET /cut.png HTTP/1.1\r\nHost: h\r\n\r\n'), meta(1));
    cut.data(1, Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: ${part.length * 2}\r\n\r\n`), part]), meta(2));
    cut.data(1, Buffer.alloc(10), meta(3, part.length - 10));
    cut.end();
    const sizes = [60_000, 50_000, 33_000, 60_000, 40_000];
    const pics = sizes.map((n, i) => (i === 0 ? big : picture(n, 10 + i)));
    let frame = 10;
    for (const [i, pic] of pics.entries()) {
      whole.data(0, b(`GET /${i}.jpg HTTP/1.1\r\nHost: h\r\n\r\n`), meta(frame++));
      whole.data(1, Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${pic.length}\r\n\r\n`), pic]), meta(frame++));
    }
    whole.end();
    const [kept, ...hashed] = sink.httpRecords;
    expect(kept.uri).toBe('/cut.png');
    expect(kept.responseBody?.equals(part)).toBe(true);
    expect(hashed.map((r) => r.responseBodySha256)).toEqual(pics.map((p) => createHash('sha256').update(p).digest('hex')));
    expect(hashed.map((r) => r.responseBodySize)).toEqual(sizes);
    // The kept body is still intact after its buffer went back to the pool and was reused.
    expect(kept.responseBody?.equals(part)).toBe(true);
  });

  it('holds a body that is still arriving in a pooled buffer at most a quarter larger than it', () => {
    const r = prng(7);
    for (let k = 0; k < 2000; k++) {
      const n = MEDIA_KEEP_BYTES + 1 + Math.floor(r() * (1024 * 1024 - MEDIA_KEEP_BYTES));
      const size = pooledBodySize(n);
      expect(size).toBeGreaterThanOrEqual(n);
      expect(size).toBeLessThanOrEqual(1.25 * n);
    }
    // Few sizes, so that freed buffers find takers: four per power of two.
    expect(new Set([5000, 5120, 6000, 6144, 7000, 7168, 8000, 8192].map(pooledBodySize))).toEqual(new Set([5120, 6144, 7168, 8192]));
  });

  it('keeps the body prefix before a gap in a Content-Length body and carries on', () => {
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(0, b('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n'), meta(1));
    h.data(1, b('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123'), meta(2));
    // 10 bytes lost, then the last 6 bytes of the body and the next response.
    h.data(1, b('efghijHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno'), meta(3, 10));
    h.end();
    const [a, c] = sink.httpRecords;
    expect(a).toMatchObject({ uri: '/a', status: 200, truncated: true, responseBodySize: 20 });
    expect(a.responseBody?.toString()).toBe('0123');
    expect(c).toMatchObject({ uri: '/b', status: 404, truncated: false, responseFrame: 3 });
    expect(c.responseBody?.toString()).toBe('no');
    expect(sink.anomalyRecords.map((x) => x.layer)).toEqual(['http']);
  });

  it('finishes a chunked body cut by a gap as truncated and resynchronises on the next status line', () => {
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(0, b('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n'), meta(1));
    h.data(1, b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\n0123'), meta(2));
    h.data(1, b('rest of a chunk\r\n0\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx'), meta(5, 900));
    h.end();
    const [a, c] = sink.httpRecords;
    expect(a).toMatchObject({ uri: '/a', status: 200, truncated: true });
    expect(a.responseBody?.toString()).toBe('hello0123');
    expect(c).toMatchObject({ uri: '/b', status: 201, truncated: false, responseFrame: 5 });
    expect(c.responseBody?.toString()).toBe('x');
  });

  it('salvages a request head cut by a gap and finds the next request line', () => {
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(0, b('GET /cut HTTP/1.1\r\nHost: cut.example\r\nCookie: abc'), meta(1));
    h.data(0, b('more cookie\r\nAccept: */*\r\n\r\nGET /next HTTP/1.1\r\nHost: next.example\r\n\r\n'), meta(3, 50));
    h.data(1, b('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), meta(4));
    h.end();
    expect(sink.httpRecords.map((r) => [r.uri, r.host, r.truncated])).toEqual([
      ['/cut', 'cut.example', true],
      ['/next', 'next.example', false],
    ]);
    // The only response answers the first request still waiting, as on the wire.
    expect(sink.httpRecords[0].status).toBe(200);
  });

  it('records CONNECT and ignores the tunnel after a 2xx', () => {
    const tls = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]);
    const { sink } = play([
      [0, b('CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n')],
      [1, b('HTTP/1.1 200 Connection Established\r\n\r\n')],
      [0, tls],
      [1, tls],
    ]);
    expect(sink.httpRecords).toHaveLength(1);
    expect(sink.httpRecords[0]).toMatchObject({ method: 'CONNECT', host: 'api.example.com', uri: 'api.example.com:443', status: 200 });
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('goes on parsing after a refused CONNECT', () => {
    const { sink } = play([
      [0, b('CONNECT secure.example:443 HTTP/1.1\r\n\r\n')],
      [0, b('GET http://plain.example/x HTTP/1.1\r\n\r\n')],
      [1, b('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny')],
      [1, b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')],
    ]);
    expect(sink.httpRecords.map((r) => [r.method, r.host, r.uri, r.status])).toEqual([
      ['CONNECT', 'secure.example', 'secure.example:443', 407],
      ['GET', 'plain.example', 'http://plain.example/x', 200],
    ]);
  });

  it('stops after 101 Switching Protocols (websocket)', () => {
    const { sink } = play([
      [0, b('GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')],
      [1, b('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')],
      [0, Buffer.from([0x81, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
      [1, Buffer.from([0x81, 0x02, 0x68, 0x69])],
    ]);
    expect(sink.httpRecords.map((r) => [r.uri, r.status])).toEqual([['/chat', 101]]);
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('tolerates bare LF line ends and obs-fold continuation lines', () => {
    const { sink } = play([
      [0, b('GET /lf HTTP/1.0\nHost: lf.example\nX-Long: first\n  second\n\tthird\n\n')],
      [1, b('HTTP/1.0 200 OK\nContent-Length: 2\n\nok')],
    ]);
    const r = sink.httpRecords[0];
    expect(r).toMatchObject({ host: 'lf.example', status: 200, version: 'HTTP/1.0' });
    expect(r.requestHeaders).toContainEqual(['X-Long', 'first second third']);
    expect(r.responseBody?.toString()).toBe('ok');
  });

  it('parses an HTTP/0.9 simple request whose response arrives first', () => {
    const html = b('<html><body>old</body></html>\n');
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(1, html, { frame: 7, tsSec: 100, tsNsec: 900, gapBefore: 0 });
    h.data(0, b('GET /old.html\r\n'), { frame: 8, tsSec: 100, tsNsec: 500, gapBefore: 0 });
    h.end();
    expect(sink.httpRecords).toHaveLength(1);
    expect(sink.httpRecords[0]).toMatchObject({
      method: 'GET', uri: '/old.html', version: 'HTTP/0.9', host: null, status: null, frame: 8, responseFrame: 7,
    });
    expect(sink.httpRecords[0].responseBody?.equals(html)).toBe(true);
    expect(sink.anomalyRecords).toEqual([]);
  });

  it('pairs a response delivered before its (earlier-stamped) request', () => {
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(1, b('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA'), { frame: 5, tsSec: 10, tsNsec: 2, gapBefore: 0 });
    h.data(0, b('GET /first HTTP/1.1\r\nHost: h\r\n\r\n'), { frame: 6, tsSec: 10, tsNsec: 1, gapBefore: 0 });
    h.end();
    expect(sink.httpRecords.map((r) => [r.uri, r.status, r.responseFrame])).toEqual([['/first', 200, 5]]);
  });

  it('does not pair a response to a request the capture missed with a later request', () => {
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    h.data(1, b('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nold'), { frame: 1, tsSec: 10, tsNsec: 0, gapBefore: 0 });
    h.data(0, b('GET /new HTTP/1.1\r\nHost: h\r\n\r\n'), { frame: 2, tsSec: 11, tsNsec: 0, gapBefore: 0 });
    h.data(1, b('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), { frame: 3, tsSec: 12, tsNsec: 0, gapBefore: 0 });
    h.end();
    expect(sink.httpRecords.map((r) => [r.uri, r.status])).toEqual([['/new', 404]]);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual(['HTTP response (status 200) without a request in the capture']);
  });

  it('takes the host from Host (port and brackets removed), else from the target', () => {
    const hosts = (req: string): Array<string | null> => play([[0, b(req)]]).sink.httpRecords.map((r) => r.host);
    expect(hosts('GET / HTTP/1.1\r\nHost: [2001:DB8::1]:8080\r\n\r\n')).toEqual(['2001:db8::1']);
    expect(hosts('GET http://user@Proxy.Example:3128/p?x HTTP/1.1\r\n\r\n')).toEqual(['proxy.example']);
    expect(hosts('GET /nohost HTTP/1.0\r\n\r\n')).toEqual([null]);
    expect(hosts('OPTIONS * HTTP/1.1\r\nHost: opt.example\r\n\r\n')).toEqual(['opt.example']);
  });

  it('emits unanswered requests at end() and marks a cut request body truncated', () => {
    const { sink } = play([[0, b('PUT /up HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\npartial')]]);
    expect(sink.httpRecords[0]).toMatchObject({ method: 'PUT', status: null, truncated: true, requestBodySize: 7 });
    expect(sink.httpRecords[0].requestBody?.toString()).toBe('partial');
  });

  it('reports a malformed chunk size and keeps what came before', () => {
    const { sink } = play([
      [0, b('GET /x HTTP/1.1\r\nHost: h\r\n\r\n')],
      [1, b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nmore')],
    ]);
    expect(sink.httpRecords[0]).toMatchObject({ status: 200, truncated: true });
    expect(sink.httpRecords[0].responseBody?.toString()).toBe('abc');
    expect(sink.anomalyRecords.some((a) => /chunk-size/.test(a.error))).toBe(true);
  });

  it('never throws on random bytes, whichever side they come from', () => {
    const rnd = prng(99);
    for (let k = 0; k < 200; k++) {
      const sink = new CollectingSink();
      const h = http1Protocol.open(conv, sink);
      const start = k % 2 === 0 ? b('GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n') : b('HTTP/1.1 200 OK\r\n');
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 3000) }, () => Math.floor(rnd() * 256)));
      // Sprinkle line ends and digits so the parser gets past its first checks.
      for (let i = 0; i < junk.length; i += 7) junk[i] = [0x0a, 0x0d, 0x30, 0x3a, 0x20][Math.floor(rnd() * 5)];
      expect(() => {
        h.data(k % 2 as StreamDir, Buffer.concat([start, junk]), meta(1));
        h.data(1 - (k % 2) as StreamDir, junk, meta(2, Math.floor(rnd() * 3)));
        h.end();
      }).not.toThrow();
      expect(sink.anomalyRecords.every((a) => !/unexpected/.test(a.error))).toBe(true);
    }
  });
});

describe('http1 heuristic', () => {
  const h = (s: string, dir: StreamDir): boolean => http1Protocol.heuristic!(b(s), dir);

  it('accepts strict request and status lines only', () => {
    expect(h('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 0)).toBe(true);
    expect(h('PROPFIND /dav/ HTTP/1.1\r\n', 0)).toBe(true);
    expect(h('HTTP/1.1 200 OK\r\n', 1)).toBe(true);
    expect(h('HTTP/1.0 404 Not Found\r\n', 1)).toBe(true);
  });

  it('rejects look-alikes and incomplete lines', () => {
    expect(h('SSH-2.0-OpenSSH_8.9\r\n', 0)).toBe(false);
    expect(h('GETX / HTTP/1.1\r\n', 0)).toBe(false);
    expect(h('get / HTTP/1.1\r\n', 0)).toBe(false);
    expect(h('GET / HTTP/2.0\r\n', 0)).toBe(false);
    expect(h('GET  / HTTP/1.1\r\n', 0)).toBe(false);
    expect(h('GET /index', 0)).toBe(false);
    expect(h('GET /x\r\n', 0)).toBe(false);
    expect(h('HTTP/2 200\r\n', 1)).toBe(false);
    expect(h('HTTP/1.1 20', 1)).toBe(false);
    expect(h('HTTP/1.1 200 OK\r\n', 0)).toBe(false);
  });
});

describe('http1 memory bounds', () => {
  it('emits requests of a client-only capture before the queue grows, and drops their late responses', () => {
    const sink = new CollectingSink();
    const h = http1Protocol.open(conv, sink);
    for (let i = 0; i < 40; i++) h.data(0, b(`GET /r${i} HTTP/1.1\r\nHost: h\r\n\r\n`), meta(i + 1));
    // Only the oldest requests are let go; the most recent ones still wait for answers.
    const early = sink.httpRecords.length;
    expect(early).toBeGreaterThanOrEqual(20);
    expect(early).toBeLessThan(40);
    expect(sink.httpRecords.every((r) => r.status === null)).toBe(true);
    // The server answers all 40 in order; the answers to emitted requests are skipped,
    // so the last ones still pair with the right request.
    for (let i = 0; i < 40; i++) h.data(1, b(`HTTP/1.1 200 OK\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`), meta(100 + i));
    h.end();
    expect(sink.httpRecords).toHaveLength(40);
    for (const r of sink.httpRecords.slice(early)) expect(r.responseBody?.toString()).toBe(r.uri.slice(2));
  });
});

describe('http1 heads over the head cap', () => {
  const pad = 'A'.repeat(100_000);

  it('keeps an oversized request and response as truncated records and pairs the next exchange', () => {
    const split = prng(7);
    const { sink } = play([
      // The bodies end in a line break: with the framing headers past the cap, the parser
      // finds the next message by its start line only.
      [0, b(`POST /a?q=1 HTTP/1.1\r\nHost: a.example\r\nX-Pad: ${pad}\r\nContent-Length: 5\r\n\r\nabc\r\n`)],
      [1, b(`HTTP/1.1 200 OK\r\nServer: s\r\nX-Pad: ${pad}\r\nContent-Length: 4\r\n\r\nok\r\n`)],
      [0, b('GET /next HTTP/1.1\r\nHost: a.example\r\n\r\n')],
      [1, b('HTTP/1.1 204 No Content\r\n\r\n')],
    ], split);
    expect(sink.httpRecords.map((r) => [r.method, r.host, r.uri, r.status, r.truncated])).toEqual([
      ['POST', 'a.example', '/a?q=1', 200, true],
      ['GET', 'a.example', '/next', 204, false],
    ]);
    // Headers up to the cap are kept; the padded one and those after it are not.
    expect(sink.httpRecords[0].requestHeaders).toEqual([['Host', 'a.example']]);
    expect(sink.httpRecords[0].responseHeaders).toEqual([['Server', 's']]);
    const capped = sink.anomalyRecords.filter((a) => a.error.includes('head cap'));
    expect(capped.map((a) => a.error.startsWith('HTTP request') ? 'request' : 'response')).toEqual(['request', 'response']);
  });

  it('keeps a request line longer than the cap when it is complete', () => {
    const uri = `/${'x'.repeat(70_000)}`;
    const { sink } = play([[0, b(`GET ${uri} HTTP/1.1\r\nHost: h\r\n`)], [0, b(`X-Pad: ${pad}\r\n\r\n`)]]);
    expect(sink.httpRecords.map((r) => [r.uri.length, r.host, r.truncated])).toEqual([[uri.length, null, true]]);
  });
});
