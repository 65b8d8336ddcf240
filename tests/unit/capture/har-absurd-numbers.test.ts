/** HAR numbers no tool measured (1e303 ms, fractional or 2^60-byte sizes, status 1e9) and an entry handler that throws. */
import { describe, expect, it } from 'vitest';
import { readHar } from '../../../electron/engine/capture/har-reader.ts';
import { JsonScanner, type JsonPath } from '../../../electron/engine/capture/json-scan.ts';
import { CollectingSink } from '../../../electron/engine/records.ts';

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

function entry(over: { timings?: Record<string, number>; status?: number; reqBodySize?: number; resBodySize?: number; contentSize?: number }): unknown {
  return {
    startedDateTime: '2020-01-01T00:00:00.000Z',
    time: 1,
    request: { method: 'POST', url: 'http://a.example/x', httpVersion: 'HTTP/1.1', headers: [], bodySize: over.reqBodySize ?? 3, postData: { mimeType: 'text/plain', text: 'abc' } },
    response: {
      status: over.status ?? 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [],
      content: { size: over.contentSize ?? 2, mimeType: 'text/plain', text: 'ok' }, bodySize: over.resBodySize ?? 2,
    },
    timings: over.timings ?? { send: 1, wait: 2, receive: 3 },
  };
}

async function read(entries: unknown[]) {
  const sink = new CollectingSink();
  const summary = await readHar(once(Buffer.from(JSON.stringify({ log: { version: '1.2', entries } }))), 1, sink);
  return { sink, summary };
}

describe('HAR numbers out of any real range', () => {
  it('ignores a timing beyond a week, with an anomaly, and keeps the others', async () => {
    const { sink, summary } = await read([entry({ timings: { blocked: 4, send: 1, wait: 1e303 } })]);
    expect(summary.error).toBeNull();
    expect(sink.httpRecords).toHaveLength(1);
    // 4 + 1 ms after the start; the absurd wait is left out.
    expect(sink.httpRecords[0].responseTs).toBe(sink.httpRecords[0].ts + 5_000_000n);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual(['entry 0: timings.wait of 1e+303 ms is beyond 604800000 ms; ignored']);
  });

  it('falls back to the body length for sizes that are not whole byte counts, and drops a status that is not one', async () => {
    const { sink } = await read([
      entry({ reqBodySize: 1e303, resBodySize: 2.5, contentSize: 2 ** 60 }),
      entry({ status: 1e9 }),
    ]);
    expect(sink.httpRecords.map((r) => [r.requestBodySize, r.responseBodySize, r.status])).toEqual([[3, 2, 200], [3, 2, null]]);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual([
      'entry 0: a body size is not a whole number of bytes below 2^53; ignored',
      'entry 1: response status 1000000000 is not an HTTP status; ignored',
    ]);
  });
});

describe('HAR dates the case cannot store', () => {
  it('reports a start time beyond 2262 (past 64-bit nanoseconds) and keeps the entry at time 0', async () => {
    const far = { ...(entry({}) as Record<string, unknown>), startedDateTime: '9999-12-31T23:59:59.000Z' };
    const { sink, summary } = await read([far, entry({})]);
    expect(summary.error).toBeNull();
    expect(sink.httpRecords.map((r) => r.ts)).toEqual([0n, 1_577_836_800_000_000_000n]);
    expect(summary.firstTs).toBe(1_577_836_800_000_000_000n);
    expect(sink.anomalyRecords.map((a) => a.error)).toEqual(['entry 0: startedDateTime "9999-12-31T23:59:59.000Z" is outside 1678-2262, the range of the stored times']);
  });
});

describe('JsonScanner with a handler that throws', () => {
  it('reports the value to failed() and goes on with the next one', () => {
    const seen: number[] = [];
    const failed: Array<[JsonPath, string]> = [];
    const s = new JsonScanner({
      begin: (path) => path.length === 1,
      value: (path, v) => {
        if (v === 2) throw new Error('bad two');
        seen.push(v as number);
      },
      oversize: () => undefined,
      failed: (path, e) => failed.push([path.slice(), (e as Error).message]),
    }, 1);
    s.push(Buffer.from('[1,2,3]'));
    expect(s.finish()).toBeNull();
    expect(seen).toEqual([1, 3]);
    expect(failed).toEqual([[[1], 'bad two']]);
  });

  it('lets the exception through when the handler has no failed()', () => {
    const s = new JsonScanner({ begin: () => true, value: () => { throw new Error('boom'); }, oversize: () => undefined }, 0);
    expect(() => s.push(Buffer.from('{}'))).toThrow('boom');
  });
});
