/**
 * Review finding: har-reader.ts msToNs does BigInt(Math.round(ms * 1e6)); a finite but
 * huge `timings` value (1e303 ms) makes that Infinity and BigInt throws a RangeError
 * out of the per-entry code. readHar ("never throws for bad input") rejects, and the
 * import reports "read failed: The number Infinity cannot be converted to a BigInt",
 * losing every entry after the bad one.
 */
import { describe, expect, it } from 'vitest';
import { readHar } from '../../electron/engine/capture/har-reader.ts';
import { CollectingSink } from '../../electron/engine/records.ts';

function entry(url: string, timings: Record<string, number>): unknown {
  return {
    startedDateTime: '2020-01-01T00:00:00.000Z',
    time: 1,
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 },
    cache: {},
    timings,
  };
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

describe('review: HAR timings overflow', () => {
  it('keeps every entry and reports the absurd timing instead of throwing', async () => {
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'review', version: '1' },
        entries: [
          entry('http://a.example/1', { send: 1, wait: 2, receive: 3 }),
          entry('http://a.example/2', { send: 1, wait: 1e303, receive: 3 }),
          entry('http://a.example/3', { send: 1, wait: 2, receive: 3 }),
        ],
      },
    };
    const sink = new CollectingSink();
    const summary = await readHar(once(Buffer.from(JSON.stringify(har))), 1, sink);
    expect(summary.error).toBeNull();
    expect(sink.httpRecords.map((r) => r.entry)).toEqual([0, 1, 2]);
  });
});
